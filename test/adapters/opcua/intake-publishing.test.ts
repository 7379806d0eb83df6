// IntakePublishing's fallbacks, with a stand-in subscription: a server that
// refuses SetPublishingMode, a call that fails, answers that arrive after a
// newer request, and a connection created in the other mode. (The simulator
// always accepts SetPublishingMode; intake.test.ts covers the real thing.)
import { Writable } from "node:stream";
import { type StatusCode, StatusCodes } from "node-opcua-client";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { IntakePublishing, type PublishingTarget } from "../../../src/adapters/opcua/intake.ts";
import type { LogLine } from "./helpers.ts";

type Call = { enabled: boolean; answer(status: StatusCode | Error): void };

function fakeTarget(): PublishingTarget & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    setPublishing: (enabled) =>
      new Promise<StatusCode>((resolve, reject) => {
        calls.push({ enabled, answer: (s) => (s instanceof Error ? reject(s) : resolve(s)) });
      }),
  };
}

function gate() {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const events: string[] = [];
  const publishing = new IntakePublishing({
    log: pino({ level: "info" }, sink),
    resumed: () => events.push("resumed"),
    stuck: (reason) => events.push(`stuck: ${reason}`),
  });
  return { publishing, logs, events };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("IntakePublishing", () => {
  it("pauses and resumes the subscription, then asks for a ConditionRefresh", async () => {
    const { publishing, logs, events } = gate();
    const target = fakeTarget();
    publishing.attach(target, true);
    expect(target.calls).toEqual([]);
    publishing.set(true);
    publishing.set(true);
    target.calls[0]!.answer(StatusCodes.Good);
    publishing.set(false);
    target.calls[1]!.answer(StatusCodes.Good);
    await settle();
    expect(target.calls.map((c) => c.enabled)).toEqual([false, true]);
    expect(events).toEqual(["resumed"]);
    expect(logs.map((l) => l.msg)).toEqual([
      "intake paused: OPC UA publishing disabled, the server queues values and events",
      "intake resumed",
    ]);
  });

  it("keeps delivering when the server refuses SetPublishingMode, and does not undo what never happened", async () => {
    const { publishing, logs, events } = gate();
    const target = fakeTarget();
    publishing.attach(target, true);
    publishing.set(true);
    target.calls[0]!.answer(StatusCodes.BadServiceUnsupported);
    await settle();
    expect(logs.at(-1)).toMatchObject({
      level: 50,
      msg: "the OPC UA server refused to disable publishing (BadServiceUnsupported): this adapter keeps delivering while the intake is paused",
    });
    publishing.set(false);
    await settle();
    expect(target.calls).toHaveLength(1);
    expect(events).toEqual([]);
  });

  it("says so when the pause call fails, and asks again when the session is restored", async () => {
    const { publishing, logs } = gate();
    const target = fakeTarget();
    publishing.attach(target, true);
    publishing.set(true);
    target.calls[0]!.answer(new Error("BadSecureChannelClosed"));
    await settle();
    expect(logs.at(-1)?.msg).toBe(
      "could not disable OPC UA publishing (BadSecureChannelClosed): asked again when the session is restored, values may keep coming meanwhile",
    );
    publishing.restored();
    expect(target.calls.map((c) => c.enabled)).toEqual([false, false]);
  });

  it("reports a subscription it cannot re-enable as stuck (the adapter starts a new connection)", async () => {
    const { publishing, events } = gate();
    const target = fakeTarget();
    publishing.attach(target, true);
    publishing.set(true);
    target.calls[0]!.answer(StatusCodes.Good);
    publishing.set(false);
    target.calls[1]!.answer(StatusCodes.BadTimeout);
    await settle();
    expect(events).toEqual(["stuck: BadTimeout"]);
  });

  it("ignores a late answer to a superseded request", async () => {
    const { publishing, events, logs } = gate();
    const target = fakeTarget();
    publishing.attach(target, true);
    publishing.set(true);
    publishing.set(false);
    // The resume is answered first; the pause's failure arrives late and changes nothing.
    target.calls[1]!.answer(StatusCodes.Good);
    target.calls[0]!.answer(new Error("timeout"));
    await settle();
    expect(events).toEqual(["resumed"]);
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it("brings a new connection into line with the intake", async () => {
    const { publishing } = gate();
    // Paused while not connected: the next subscription is created disabled, nothing to ask.
    publishing.set(true);
    const created = fakeTarget();
    publishing.attach(created, false);
    expect(created.calls).toEqual([]);
    // Resumed while connecting: created disabled, so enable it.
    publishing.set(false);
    publishing.detach();
    const late = fakeTarget();
    publishing.attach(late, false);
    expect(late.calls.map((c) => c.enabled)).toEqual([true]);
  });
});
