// Qos1Publisher keeps the QoS 1 state the sink writes by hand: packet ids,
// PUBACK tracking, one write per turn, resend with DUP. mqtt-packet's parser
// is the oracle for the bytes on the "socket".
import mqttPacket, { type IPublishPacket, type Packet } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { Qos1Publisher, type Qos1Transport } from "../../src/sinks/mqtt/qos1-publisher.ts";

function parse(bytes: Buffer): IPublishPacket[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: Packet[] = [];
  parser.on("packet", (p: Packet) => packets.push(p));
  parser.on("error", (e: Error) => {
    throw e;
  });
  expect(parser.parse(bytes)).toBe(0);
  return packets as IPublishPacket[];
}

/** A socket that records every write and can be "down"; ids from a counter like mqtt.js's default provider. */
function fakeTransport(firstId = 1) {
  const writes: Buffer[] = [];
  const released: number[] = [];
  let next = firstId;
  const state = { up: true };
  const transport: Qos1Transport = {
    write: (bytes) => {
      if (!state.up) return false;
      writes.push(Buffer.from(bytes));
      return true;
    },
    allocateId: () => {
      const id = next;
      next = next === 65_535 ? 1 : next + 1;
      return id;
    },
    releaseId: (id) => released.push(id),
  };
  return { transport, writes, released, state };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe("Qos1Publisher", () => {
  it("writes the publishes of one turn as one buffer and completes each only on its PUBACK", async () => {
    const { transport, writes, released } = fakeTransport(10);
    const q = new Qos1Publisher(transport, 4);
    const done: string[] = [];
    for (const n of [1, 2, 3])
      q.add(`t/${n}`, `p${n}`, true, (err) => done.push(err ? `err ${n}` : `ok ${n}`));
    expect(writes).toHaveLength(0); // flushed after the current turn, not per message
    await tick();
    expect(writes).toHaveLength(1);
    const packets = parse(writes[0]!);
    expect(packets.map((p) => [p.topic, p.messageId, p.qos, p.retain, p.dup])).toEqual([
      ["t/1", 10, 1, true, false],
      ["t/2", 11, 1, true, false],
      ["t/3", 12, 1, true, false],
    ]);
    expect(q.inFlight).toBe(3);
    // PUBACKs may come in any order; an unknown id (mqtt.js's own publish) is not ours.
    expect(q.acknowledge(11)).toBe(true);
    expect(q.acknowledge(99)).toBe(false);
    expect(q.acknowledge(11)).toBe(false); // a second PUBACK for the same id changes nothing
    expect(done).toEqual(["ok 2"]);
    expect(q.acknowledge(10)).toBe(true);
    expect(q.acknowledge(12)).toBe(true);
    expect(done).toEqual(["ok 2", "ok 1", "ok 3"]);
    expect(released).toEqual([11, 10, 12]);
    expect(q.inFlight).toBe(0);
  });

  it("after a reconnect resends every unacknowledged packet in order with DUP and the same id, and nothing acked", async () => {
    const { transport, writes, state } = fakeTransport(65_534);
    const q = new Qos1Publisher(transport, 4);
    const done: number[] = [];
    for (const n of [1, 2, 3, 4]) q.add(`t/${n}`, `p${n}`, n % 2 === 0, () => done.push(n));
    await tick();
    q.acknowledge(65_535); // t/2
    state.up = false; // the connection drops
    q.add("t/5", "p5", true, () => done.push(5)); // handed over while the socket is gone
    await tick();
    expect(writes).toHaveLength(1);
    state.up = true;
    q.resend();
    expect(writes).toHaveLength(2);
    const again = parse(writes[1]!);
    expect(again.map((p) => [p.topic, p.messageId, p.dup, p.retain])).toEqual([
      ["t/1", 65_534, true, false],
      ["t/3", 1, true, false], // ids wrap from 65535 to 1
      ["t/4", 2, true, true],
      ["t/5", 3, false, true], // never reached the socket: not a duplicate
    ]);
    // A second outage: now t/5 went out once, so it carries DUP too.
    q.resend();
    expect(parse(writes[2]!).map((p) => [p.topic, p.dup])).toEqual([
      ["t/1", true],
      ["t/3", true],
      ["t/4", true],
      ["t/5", true],
    ]);
    for (const id of [65_534, 1, 2, 3]) q.acknowledge(id);
    expect(done).toEqual([2, 1, 3, 4, 5]);
    q.resend();
    expect(writes).toHaveLength(3); // nothing left to resend
  });

  it("reports a refused publish (MQTT 5 reason code ≥ 0x80) as an error, so the outbox delivers it again", async () => {
    const { transport } = fakeTransport();
    const q = new Qos1Publisher(transport, 5);
    const results: (string | undefined)[] = [];
    q.add("t/1", "a", true, (err) => results.push(err?.message));
    q.add("t/2", "b", true, (err) => results.push(err?.message));
    await tick();
    q.acknowledge(1, 0x10); // "no matching subscribers" is a success
    q.acknowledge(2, 0x87); // not authorised
    expect(results).toEqual([undefined, "broker refused the publish (reason code 135)"]);
  });

  it("fails a message it cannot encode at once, without taking a packet id for good", () => {
    const { transport, released } = fakeTransport();
    const q = new Qos1Publisher(transport, 4);
    const errors: string[] = [];
    q.add("t".repeat(70_000), "x", true, (err) => errors.push(String(err?.message)));
    expect(errors[0]).toMatch(/65,535/);
    expect(released).toEqual([1]);
    expect(q.inFlight).toBe(0);
  });
});
