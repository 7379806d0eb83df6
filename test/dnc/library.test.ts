import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProgramLibrary } from "../../src/dnc/library/library.ts";
import { contentHash } from "../../src/dnc/program/text.ts";
import { sampleProgram } from "./fixtures.ts";

describe("program library", () => {
  let dir: string;
  let clock: number;
  let lib: ProgramLibrary;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "maskinport-lib-"));
    clock = 1_000;
    lib = ProgramLibrary.open(join(dir, "sub", "library.db"), () => clock++);
  });
  afterEach(() => {
    lib.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps versions by content hash and does not duplicate identical saves", () => {
    const v1 = lib.save({
      folder: "trainee/t-17",
      name: "O1234.nc",
      content: sampleProgram("fanuc-O1234.nc"),
      by: "t-17",
    });
    expect(v1.created).toBe(true);
    expect(v1.hash).toBe(contentHash(sampleProgram("fanuc-O1234.nc")));
    expect(v1.programNumber).toBe("O1234");
    expect(v1.lines).toBe(22);
    const again = lib.save({
      folder: "trainee/t-17",
      name: "O1234.nc",
      content: sampleProgram("fanuc-O1234.nc"),
    });
    expect(again.created).toBe(false);
    expect(again.hash).toBe(v1.hash);
    const v2 = lib.save({
      folder: "trainee/t-17",
      name: "O1234.nc",
      content: "%\nO1234\nM30\n%\n",
      source: "edit",
    });
    expect(v2.created).toBe(true);
    expect(lib.history("trainee/t-17", "O1234.nc").map((v) => v.hash)).toEqual([v2.hash, v1.hash]);
    expect(lib.get("trainee/t-17", "O1234.nc")?.content.toString("latin1")).toBe("%\nO1234\nM30\n%\n");
    expect(lib.get("trainee/t-17", "O1234.nc", v1.hash)?.content.toString("latin1")).toBe(
      sampleProgram("fanuc-O1234.nc"),
    );
  });

  it("separates shared and per-trainee folders", () => {
    lib.save({ folder: "shared", name: "task-1.nc", content: "%\nO0001\nM30\n%\n" });
    lib.save({ folder: "trainee/a", name: "mine.nc", content: "%\nO0002\nM30\n%\n" });
    lib.save({ folder: "trainee/b", name: "mine.nc", content: "%\nO0003\nM30\n%\n" });
    expect(lib.folders()).toEqual(["shared", "trainee/a", "trainee/b"]);
    expect(lib.list("trainee/a").map((p) => p.programNumber)).toEqual(["O0002"]);
    expect(lib.list("trainee/b").map((p) => p.programNumber)).toEqual(["O0003"]);
  });

  it("finds a requested program by O-number or name, in folder order", () => {
    lib.save({ folder: "shared", name: "flange.nc", content: "%\nO1234\nM30\n%\n" });
    lib.save({ folder: "trainee/a", name: "flange-mine.nc", content: "%\nO1234 (MINE)\nM30\n%\n" });
    expect(lib.findForRequest("O1234", ["trainee/a", "shared"])?.folder).toBe("trainee/a");
    expect(lib.findForRequest("o1234", ["shared"])?.name).toBe("flange.nc");
    expect(lib.findForRequest("flange", ["shared"])?.name).toBe("flange.nc");
    expect(lib.findForRequest("O9999", ["shared", "trainee/a"])).toBeUndefined();
  });

  it("rejects folder and file names that could escape or confuse", () => {
    expect(() => lib.save({ folder: "../etc", name: "x.nc", content: "x" })).toThrow(/bad library folder/);
    expect(() => lib.save({ folder: "trainee/", name: "x.nc", content: "x" })).toThrow(/bad library folder/);
    expect(() => lib.save({ folder: "shared", name: "a/b.nc", content: "x" })).toThrow(/bad program name/);
    expect(() => lib.save({ folder: "shared", name: "..nc", content: "x" })).toThrow(/bad program name/);
  });

  it("audits transfers and survives a reopen", () => {
    lib.recordTransfer({
      machine: "lathe-4",
      direction: "send",
      folder: "shared",
      name: "O1234.nc",
      hash: "abc",
      bytes: 123,
      durationMs: 1410.6,
      result: "failed",
      error: "cable-pulled: connection lost",
      user: "t-17",
      startedAt: 5,
    });
    lib.close();
    lib = ProgramLibrary.open(join(dir, "sub", "library.db"));
    expect(lib.transfers({ machine: "lathe-4" })).toEqual([
      {
        id: 1,
        machine: "lathe-4",
        direction: "send",
        folder: "shared",
        name: "O1234.nc",
        hash: "abc",
        bytes: 123,
        durationMs: 1411,
        result: "failed",
        error: "cable-pulled: connection lost",
        user: "t-17",
        session: undefined,
        fromLine: undefined,
        startedAt: 5,
      },
    ]);
    expect(lib.transfers({ machine: "mill-1" })).toEqual([]);
  });

  it("lists the transfers one user started, newest first, optionally on one machine", () => {
    const audit = { direction: "send", bytes: 1, durationMs: 1, result: "ok", startedAt: 1 } as const;
    lib.recordTransfer({ ...audit, machine: "lathe-4", user: "u-a" });
    lib.recordTransfer({ ...audit, machine: "mill-1", user: "u-b" });
    lib.recordTransfer({ ...audit, machine: "mill-1", user: "u-a" });
    lib.recordTransfer({ ...audit, machine: "mill-1", user: "machine" });
    expect(lib.transfers({ user: "u-a" }).map((t) => t.machine)).toEqual(["mill-1", "lathe-4"]);
    expect(lib.transfers({ user: "u-a", machine: "lathe-4" }).map((t) => t.id)).toEqual([1]);
    expect(lib.transfers({ user: "u-a", limit: 1 })).toHaveLength(1);
    expect(lib.transfers({ user: "nobody" })).toEqual([]);
    expect(lib.transfers()).toHaveLength(4);
  });
});
