import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteLedgerStore } from "../../src/evidence/ledger/sqlite-store.ts";
import { validateStatement } from "../../src/evidence/xapi/validate.ts";
import { body } from "./ledger-contract.ts";

const BIN = join(import.meta.dirname, "../../bin/maskinport.mjs");
const ROOT = join(import.meta.dirname, "../..");
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "mp-evidence-cli-"));
const db = join(dir, "ledger.db");

async function maskinport(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  const store = new SqliteLedgerStore(db);
  await store.append(
    Array.from({ length: 30 }, (_, i) => body(i + 1, { subject: "a".repeat(32), goals: ["run-lathe"] })),
  );
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each run starts Node and the CLI (≈ 1–4 s on a loaded 2-core machine).
describe("maskinport evidence / privacy", { timeout: 60_000 }, () => {
  it("verify: ok with the head, then the first broken record after an edit", async () => {
    const ok = await maskinport("evidence", "verify", "--db", db);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok: 30 records verified in .* head #30 [0-9a-f]{64}/);
    const store = new SqliteLedgerStore(db);
    store.database.exec(`UPDATE evidence_records SET ts = ts + 1 WHERE seq = 17`);
    await store.close();
    const bad = await maskinport("evidence", "verify", "--db", db);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("BROKEN at record 17: record 17 does not match its hash");
  });

  it("export --xapi writes valid statements", async () => {
    const out = join(dir, "x.json");
    const res = await maskinport(
      "evidence",
      "export",
      "--xapi",
      out,
      "--db",
      db,
      "--home-page",
      "https://lf.example.no/",
    );
    expect(res.stderr).toBe("");
    expect(res.stdout).toContain("wrote 30 statements from 30 records");
    const statements = JSON.parse(readFileSync(out, "utf8")) as unknown[];
    expect(statements).toHaveLength(30);
    for (const s of statements) expect(validateStatement(s)).toEqual([]);
  });

  it("bad usage exits 2 with the reason", async () => {
    expect(await maskinport("evidence", "export", "--db", db)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--xapi"),
    });
    expect(await maskinport("evidence", "verify", "--db", db, "--postgres", "postgres://x")).toMatchObject({
      code: 2,
    });
    expect(await maskinport("evidence", "frobnicate")).toMatchObject({ code: 2 });
  });

  it("privacy sheet prints the § 9-2 sheet from the demo config in both languages", async () => {
    const nb = await maskinport("privacy", "sheet");
    expect(nb.code).toBe(0);
    expect(nb.stdout).toContain("arbeidsmiljøloven § 9-2");
    const en = await maskinport("privacy", "sheet", "--lang", "en");
    expect(en.stdout).toContain("Working Environment Act § 9-2");
    expect((await maskinport("privacy", "sheet", "--lang", "de")).code).toBe(2);
  });
});
