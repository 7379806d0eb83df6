import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FaultKind, FaultTarget } from "../../../simulators/mtconnect/faults.ts";
import { type MtconnectSimulator, startMtconnectSimulator } from "../../../simulators/mtconnect/simulator.ts";
import { waitFor } from "../../support/ports.ts";
import { type Harness, startAdapter } from "./harness.ts";

// A broken agent: every kind of bad answer gives a clear error, the adapter
// neither crashes nor stops, it recovers by itself, and a machine behind
// another agent keeps flowing meanwhile.

/** `disconnect`: a document cut off with its connection looks like any lost connection. */
type Case = { kind: FaultKind; target: Exclude<FaultTarget, "any">; error: RegExp; counts?: "disconnect" };

const CASES: Case[] = [
  { kind: "malformed", target: "stream", error: /malformed XML/ },
  { kind: "truncated", target: "stream", error: /malformed XML|Content-length does not match/ },
  { kind: "wrongContentType", target: "stream", error: /part \d+ has content type text\/html, expected XML/ },
  {
    kind: "huge",
    target: "stream",
    error: /part \d+ is \d+ bytes, over the limit of 100000 \(maxDocumentBytes\)/,
  },
  { kind: "malformed", target: "current", error: /GET http:\/\/127\.0\.0\.1:\d+\/current: malformed XML/ },
  {
    kind: "truncated",
    target: "current",
    error: /\/current: connection closed mid-document/,
    counts: "disconnect",
  },
  { kind: "huge", target: "current", error: /\/current: document .*maxDocumentBytes/ },
  { kind: "status404", target: "current", error: /\/current: HTTP 404 Not Found/ },
  { kind: "wrongContentType", target: "probe", error: /\/probe: expected XML, got content type text\/html/ },
  { kind: "status500", target: "probe", error: /\/probe: HTTP 500 Internal Server Error/ },
  {
    kind: "malformed",
    target: "probe",
    error: /Devices\.xml is not well-formed XML|expected root element MTConnectDevices/,
  },
  { kind: "status500", target: "sample", error: /\/sample\?from=\d+.*: HTTP 500/ },
  {
    kind: "wrongContentType",
    target: "sample",
    error: /expected multipart\/x-mixed-replace, multipart\/mixed or XML, got content type text\/html/,
  },
];

/** Change the machine's execution state, whatever it is now. */
function toggleExecution(model: MtconnectSimulator["models"][number]): void {
  if (model.execution === "ACTIVE") model.feedHold();
  else if (model.execution === "FEED_HOLD" || model.execution === "PROGRAM_STOPPED") model.resume();
  else model.runProgram("O1001");
}

let faulty: MtconnectSimulator;
let healthy: MtconnectSimulator;
let other: Harness;
let current: Harness | undefined;

beforeAll(async () => {
  faulty = await startMtconnectSimulator({ machines: 1, autoOperator: false, tickMs: 20, timeScale: 20 });
  healthy = await startMtconnectSimulator({ machines: 1, autoOperator: false, tickMs: 20, timeScale: 20 });
  other = await startAdapter(healthy.url, [{ id: "other-lathe" }]);
  await other.until("healthy agent connected", (r) => r.signal === "execution");
});
afterEach(async () => {
  await current?.stop();
  current = undefined;
  faulty.faults.clear();
});
afterAll(async () => {
  await other.stop();
  await faulty.close();
  await healthy.close();
});

describe("MtconnectAdapter facing a broken agent", () => {
  for (const c of CASES) {
    it(`${c.kind} in ${c.target}: clear error, recovery, other machines unaffected`, async () => {
      const h = await startAdapter(faulty.url, [{ id: "lathe-a" }], { maxDocumentBytes: 100_000 });
      current = h;
      await h.until("connected", (r) => r.signal === "execution");
      const otherErrors = other.adapter.stats.errors;

      faulty.faults.inject(c.kind, { target: c.target, hugeBytes: 200_000 });
      // Whole-response faults need a fresh request: an agent restart makes the adapter probe, re-sync and stream anew.
      if (c.target !== "stream") faulty.faults.restart();
      await waitFor(`error for ${c.kind}`, () => c.error.test(h.adapter.stats.lastError ?? ""));
      if (c.counts === "disconnect") expect(h.adapter.stats.disconnects).toBeGreaterThanOrEqual(1);
      else expect(h.adapter.stats.errors).toBeGreaterThanOrEqual(1);

      // Recovered: new values come through on a working connection.
      const from = h.readings.length;
      const otherFrom = other.readings.length;
      toggleExecution(faulty.models[0]!);
      faulty.poll();
      await h.until("values after recovery", (r) => r.signal === "execution", from);
      expect(h.adapter.stats.connected).toBe(true);

      // The machine behind the healthy agent never noticed.
      toggleExecution(healthy.models[0]!);
      healthy.poll();
      await other.until("other machine keeps flowing", (r) => r.signal === "execution", otherFrom);
      expect(other.adapter.stats.errors).toBe(otherErrors);
      expect(other.adapter.stats.connects).toBe(1);
    });
  }
});
