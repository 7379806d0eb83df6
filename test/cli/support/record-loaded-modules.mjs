// Preload (`node --import`) that records every module URL the process loads,
// ESM and CommonJS alike (module.registerHooks sees both), and writes the list
// to the file named by MASKINPORT_LOADED_MODULES when the process exits. Used
// to prove which libraries a command does not load (check-config.test.ts).
import { writeFileSync } from "node:fs";
import { registerHooks } from "node:module";

const out = process.env.MASKINPORT_LOADED_MODULES;
const loaded = new Set();
if (out) {
  registerHooks({
    load(url, context, nextLoad) {
      loaded.add(url);
      return nextLoad(url, context);
    },
  });
  process.on("exit", () => writeFileSync(out, [...loaded].join("\n")));
}
