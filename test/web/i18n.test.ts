import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MACHINE_STATES } from "../../src/core/events.ts";
import { DICTIONARY, LANGUAGES, type MessageKey, translate } from "../../src/web/i18n.ts";
import { livePageConfig, renderLivePage } from "../../src/web/live-page.ts";
import { createTranslator } from "../../src/web/public/i18n.js";

const PUBLIC = new URL("../../src/web/public/", import.meta.url);
const nbKeys = Object.keys(DICTIONARY.nb).sort();

describe("i18n dictionary", () => {
  it.each(LANGUAGES)("%s has every key, none empty, same placeholders as nb", (language) => {
    const dict = DICTIONARY[language];
    expect(Object.keys(dict).sort()).toEqual(nbKeys);
    for (const key of nbKeys as MessageKey[]) {
      expect(dict[key].trim(), key).not.toBe("");
      const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(placeholders(dict[key]), key).toEqual(placeholders(DICTIONARY.nb[key]));
    }
  });

  it("names every machine state", () => {
    for (const state of [...MACHINE_STATES, "unknown"]) expect(nbKeys).toContain(`state.${state}`);
  });

  it("substitutes values", () => {
    expect(translate("nb", "header.machines", { n: 4 })).toBe("4 maskiner");
    expect(translate("en", "duration.hours", { h: 2, m: 5 })).toBe("2 h 5 min");
  });

  it("fills in a string on the server exactly as the page does", () => {
    for (const language of LANGUAGES) {
      const pageT = createTranslator(DICTIONARY, language);
      for (const key of nbKeys as MessageKey[]) {
        const values = Object.fromEntries(
          [...DICTIONARY[language][key].matchAll(/\{(\w+)\}/g)].map((m, i) => [m[1]!, i + 7]),
        );
        expect(translate(language, key, values), key).toBe(pageT(key, values));
        expect(translate(language, key, values), key).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it("has every key the page's scripts and template use", () => {
    const used = new Set<string>();
    // The upload page (dnc*) has its own dictionary on top: test/web/dnc/dnc-page-texts.test.ts.
    const livePageFiles = readdirSync(PUBLIC).filter(
      (f) => (f.endsWith(".js") || f.endsWith(".html")) && !f.startsWith("dnc"),
    );
    for (const file of livePageFiles) {
      const text = readFileSync(new URL(file, PUBLIC), "utf8");
      for (const m of text.matchAll(/\bt\("([\w.]+)"/g)) used.add(m[1]!);
      for (const m of text.matchAll(/data-i18n(?:-aria)?="([\w.]+)"/g)) used.add(m[1]!);
      for (const m of text.matchAll(/\{\{t:([\w.]+)\}\}/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(20);
    for (const key of used) expect(nbKeys, key).toContain(key);
  });

  it("renders the page shell in Norwegian with the config escaped for a script element", () => {
    const config = livePageConfig({ timeZone: "Europe/Oslo", history: false });
    const html = renderLivePage(config).body.toString("utf8");
    expect(html).toContain("<title>Maskinport – maskinoversikt</title>");
    const json = /id="maskinport-config">(.*?)<\/script>/s.exec(html)![1]!;
    expect(json).not.toContain("<");
    expect(JSON.parse(json).i18n.nb["empty.noMachines"]).toContain("«machines»");
  });
});
