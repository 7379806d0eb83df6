import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DNC_ERROR_CODES } from "../../../src/dnc/errors.ts";
import { VALIDATION_CODES } from "../../../src/dnc/validate.ts";
import { TRANSFER_STATES } from "../../../src/web/api/dnc/index.ts";
import { DNC_TEXTS, dncPageDictionary } from "../../../src/web/api/dnc/texts.ts";
import { renderUploadPage, uploadPageConfig } from "../../../src/web/api/dnc/upload-page.ts";
import { ROLES } from "../../../src/web/auth/roles.ts";
import { LANGUAGES } from "../../../src/web/i18n.ts";
import {
  codeHeadline,
  lineRange,
  lineText,
  problemPlace,
  progressTexts,
  safeFileName,
} from "../../../src/web/public/dnc-format.js";
import { createNumberFormatter } from "../../../src/web/public/format.js";
import { createTranslator } from "../../../src/web/public/i18n.js";

// The upload page's texts and pure helpers. Its browser code is type-checked
// with every other page script (test/web/page-typecheck.test.ts).

const PUBLIC = new URL("../../../src/web/public/", import.meta.url);
const dictionary = dncPageDictionary();
const nb = createTranslator(dictionary, "nb");
const en = createTranslator(dictionary, "en");

describe("texts", () => {
  const nbKeys = Object.keys(DNC_TEXTS.nb).sort();
  it.each(LANGUAGES)("%s has every key, none empty, same placeholders as nb", (language) => {
    const texts = DNC_TEXTS[language] as Record<string, string>;
    expect(Object.keys(texts).sort()).toEqual(nbKeys);
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of nbKeys) {
      expect(texts[key]!.trim(), key).not.toBe("");
      expect(placeholders(texts[key]!), key).toEqual(
        placeholders((DNC_TEXTS.nb as Record<string, string>)[key]!),
      );
    }
  });

  it("names every transfer state, engine error, validation code and role from the server's own lists", () => {
    // Roles are named by the shared menu bar (shell.js), from the app's dictionary.
    for (const state of TRANSFER_STATES) expect(nbKeys).toContain(`dnc.state.${state}`);
    for (const code of DNC_ERROR_CODES) expect(nbKeys).toContain(`dnc.error.${code}`);
    for (const code of VALIDATION_CODES) expect(nbKeys).toContain(`dnc.problem.${code}`);
    for (const role of ROLES) expect(Object.keys(dictionary.nb)).toContain(`role.${role}`);
  });

  it("has every key the page's scripts and template use, and the live page's machine kinds", () => {
    const used = new Set<string>();
    for (const file of readdirSync(PUBLIC).filter((f) => f.startsWith("dnc") && /\.(js|html)$/.test(f))) {
      const text = readFileSync(new URL(file, PUBLIC), "utf8");
      for (const m of text.matchAll(/\bt\("([\w.-]+)"/g)) used.add(m[1]!);
      for (const m of text.matchAll(/data-i18n="([\w.-]+)"/g)) used.add(m[1]!);
      for (const m of text.matchAll(/\{\{t:([\w.-]+)\}\}/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(40);
    for (const key of used) expect(Object.keys(dictionary.nb), key).toContain(key);
    expect(dictionary.en["kind.lathe"]).toBe("Lathe");
  });

  it("renders the page shell in Norwegian with the config in a JSON data block", () => {
    const config = uploadPageConfig({
      timeZone: "Europe/Oslo",
      maxProgramBytes: 4096,
      progressIntervalMs: 250,
    });
    const html = renderUploadPage(config).body.toString("utf8");
    expect(html).toContain("<title>Maskinport – send program</title>");
    expect(html).not.toContain("{{t:");
    // The shared app shell: the menu bar (with this page's entry), login state and language toggle.
    expect(html).not.toContain("<!--include:");
    expect(html).toContain('class="appnav"');
    expect(html).toContain('data-nav="dnc"');
    expect(html).toContain('id="logout"');
    expect(html).toContain('data-lang="en"');
    expect(html).not.toMatch(/<script(?![^>]*(type="module" src=|type="application\/json"))/);
    const json = /id="maskinport-config">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(json)).toMatchObject({ maxProgramBytes: 4096, states: [...TRANSFER_STATES] });
  });
});

describe("page helpers", () => {
  const number = createNumberFormatter("nb");
  const view = {
    state: "paused",
    bytesSent: 512,
    bytesTotal: 2048,
    linesSent: 10,
    linesTotal: 40,
    rate: 873,
  };

  it("writes the progress as percent, bytes, lines and rate in the page's language", () => {
    expect(progressTexts(view, nb, number)).toEqual({
      value: 512,
      max: 2048,
      percent: 25,
      summary: "25 % · 512 av 2\u00a0048 byte · 10 av 40 linjer · 873 tegn/s",
      state: "Pauset av maskinen",
    });
    const done = progressTexts({ ...view, state: "done", bytesSent: 2048 }, en, createNumberFormatter("en"));
    expect(done.summary).toBe("100 % · 2,048 of 2,048 bytes · 10 of 40 lines");
    expect(progressTexts({ ...view, bytesTotal: 0, bytesSent: 0 }, en, number).max).toBe(1);
  });

  it("places problems by line and column, and finds headlines only for known codes", () => {
    expect(problemPlace({ line: 6, column: 1 }, nb)).toBe("Linje 6, kolonne 1");
    expect(problemPlace({ line: 12 }, en)).toBe("Line 12");
    expect(codeHeadline("dnc.problem", "lowercase", en)).toBe("Lower-case letters outside a comment");
    expect(codeHeadline("dnc.problem", "no-such-code", en)).toBeUndefined();
    expect(codeHeadline("dnc.error", undefined, en)).toBeUndefined();
  });

  it("makes a file name the library accepts", () => {
    expect(safeFileName("O1234.nc")).toBe("O1234.nc");
    expect(safeFileName("Ø-ring (v2).NC")).toBe("O-ring _v2_.NC");
    expect(safeFileName("C:\\Users\\elev\\Blåbær.nc")).toBe("Blaabaer.nc");
    expect(safeFileName("../../etc/passwd")).toBe("passwd");
    expect(safeFileName("..nc")).toBe("nc");
    expect(safeFileName("___")).toBe("program.nc");
    expect(safeFileName(`${"A".repeat(150)}.nc`)).toHaveLength(100);
  });

  it("finds a line's characters with any end of block", () => {
    const text = "%\r\nO1234\nG00 X1\rM30\n%";
    expect(lineRange(text, 1)).toEqual({ start: 0, end: 1 });
    expect(text.slice(lineRange(text, 2).start, lineRange(text, 2).end)).toBe("O1234");
    expect(lineText(text, 3)).toBe("G00 X1");
    expect(lineText(text, 4)).toBe("M30");
    expect(lineText(text, 9)).toBe("");
    expect(lineText(`${"X".repeat(200)}\n`, 1)).toHaveLength(80);
  });
});
