// The login page: POST /api/login, then back to the page that sent us here
// (?next=, a path on this gateway only). Errors are shown in words, in place.

import { safeNext } from "./api.js";
import { startShell } from "./shell.js";

const shell = startShell({ page: "login", titleKey: "login.pageTitle" });
const form = /** @type {HTMLFormElement} */ (document.getElementById("login-form"));
const errorBox = /** @type {HTMLElement} */ (document.getElementById("login-error"));
const submit = /** @type {HTMLButtonElement} */ (document.getElementById("login-submit"));
const username = /** @type {HTMLInputElement} */ (document.getElementById("username"));
const password = /** @type {HTMLInputElement} */ (document.getElementById("password"));

username.focus();

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { t } = shell.ctx;
  if (username.value.trim() === "" || password.value === "") {
    showError(t("login.bad"), username.value.trim() === "" ? username : password);
    return;
  }
  submit.disabled = true;
  submit.textContent = t("login.busy");
  try {
    const response = await fetch("/api/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ username: username.value.trim(), password: password.value }),
      credentials: "same-origin",
    });
    if (response.ok) {
      location.assign(safeNext(location.search));
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (response.status === 401) showError(t("login.bad"), password);
    else if (response.status === 429) {
      const seconds = Math.max(1, Math.ceil((body.retryAfterMs ?? 60_000) / 1000));
      showError(t("login.throttled", { s: seconds }), password);
    } else if (response.status === 503 && body.error === "store_unavailable")
      showError(t("login.storeUnavailable"), password);
    else if (response.status === 503) showError(t("login.unavailable"), username);
    else showError(t("login.failed", { status: response.status }), username);
  } catch {
    showError(t("login.failed", { status: "–" }), username);
  } finally {
    submit.disabled = false;
    submit.textContent = shell.ctx.t("login.submit");
  }
});

/**
 * @param {string} text
 * @param {HTMLInputElement} field the one to fix, focused
 */
function showError(text, field) {
  errorBox.textContent = text;
  errorBox.hidden = false;
  password.value = "";
  field.setAttribute("aria-invalid", "true");
  field.setAttribute("aria-describedby", "login-error");
  field.focus();
}
