// The QR sheet (and the "no access" page, which shares its shell): the menu
// bar, the language, and a print button. The codes themselves are drawn by
// the server.

import { startShell } from "./shell.js";

const printButton = document.getElementById("print");
startShell({ page: "qr", titleKey: printButton ? "qr.pageTitle" : "forbidden.heading" });
printButton?.addEventListener("click", () => window.print());
