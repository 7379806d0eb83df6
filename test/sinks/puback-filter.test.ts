// PubackFilter takes the sink's own PUBACKs off the incoming byte stream and
// hands every other byte on unchanged, however the stream is cut into chunks.
// mqtt-packet's generator makes the packets; its parser is the oracle for what
// mqtt.js would see.
import { PassThrough } from "node:stream";
import mqttPacket, { type Packet } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { filterIncoming, PubackFilter } from "../../src/sinks/mqtt/puback-filter.ts";

const v4 = { protocolVersion: 4 } as const;
const v5 = { protocolVersion: 5 } as const;
const gen = (p: Packet, opts: { protocolVersion: 4 | 5 } = v4) => mqttPacket.generate(p, opts);

function parseAll(bytes: Buffer, protocolVersion: 4 | 5 = 4): Packet[] {
  const parser = mqttPacket.parser({ protocolVersion });
  const packets: Packet[] = [];
  parser.on("packet", (p: Packet) => packets.push(p));
  parser.on("error", (e: Error) => {
    throw e;
  });
  parser.parse(bytes);
  return packets;
}

/** Runs `chunks` through a filter that claims `ours`; what it handed on and what it claimed. */
function run(chunks: Buffer[], ours: Set<number>) {
  const claimed: [number, number][] = [];
  const filter = new PubackFilter((id, reason) => {
    if (!ours.has(id)) return false;
    claimed.push([id, reason]);
    return true;
  });
  const out = Buffer.concat(chunks.map((c) => filter.filter(c)));
  return { out, claimed };
}

/** Every way of cutting `bytes` into two chunks, and into chunks of 1, 2 and 3 bytes. */
function cuttings(bytes: Buffer): Buffer[][] {
  const all: Buffer[][] = [[bytes]];
  for (let i = 1; i < bytes.length; i++) all.push([bytes.subarray(0, i), bytes.subarray(i)]);
  for (const size of [1, 2, 3]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
    all.push(chunks);
  }
  return all;
}

describe("PubackFilter", () => {
  const big = "x".repeat(300); // a Remaining Length of two bytes
  const others: Packet[] = [
    { cmd: "connack", returnCode: 0, sessionPresent: false },
    {
      cmd: "publish",
      topic: "a/cmd/checkin",
      payload: Buffer.from(big),
      qos: 1,
      messageId: 9,
      retain: false,
      dup: false,
    },
    { cmd: "pingresp" },
    { cmd: "suback", messageId: 3, granted: [1] },
  ];

  it("consumes the claimed PUBACKs and hands on everything else byte for byte, at any chunk boundary", () => {
    const packets: Packet[] = [
      others[0]!,
      { cmd: "puback", messageId: 1 },
      { cmd: "puback", messageId: 2 },
      others[1]!,
      { cmd: "puback", messageId: 7 }, // mqtt.js's own publish: not claimed
      { cmd: "puback", messageId: 3 },
      others[2]!,
      others[3]!,
      { cmd: "puback", messageId: 4 },
    ];
    const bytes = Buffer.concat(packets.map((p) => gen(p)));
    const expected = Buffer.concat(
      packets.filter((p) => !(p.cmd === "puback" && p.messageId !== 7)).map((p) => gen(p)),
    );
    for (const chunks of cuttings(bytes)) {
      const { out, claimed } = run(chunks, new Set([1, 2, 3, 4]));
      expect(out.equals(expected)).toBe(true);
      expect(claimed).toEqual([
        [1, 0],
        [2, 0],
        [3, 0],
        [4, 0],
      ]);
    }
    expect(parseAll(expected).map((p) => p.cmd)).toEqual([
      "connack",
      "publish",
      "puback",
      "pingresp",
      "suback",
    ]);
  });

  it("hands the same buffer on when nothing in it is claimed, and an empty one when all of it is", () => {
    const mixed = Buffer.concat(others.map((p) => gen(p)));
    expect(new PubackFilter(() => false).filter(mixed)).toBe(mixed);
    const filter = new PubackFilter(() => true);
    const acks = Buffer.concat([1, 2, 3].map((messageId) => gen({ cmd: "puback", messageId })));
    expect(filter.filter(acks).length).toBe(0);
  });

  it("passes an MQTT 5 reason code on (a refusal is ≥ 0x80)", () => {
    const packets: Packet[] = [
      { cmd: "puback", messageId: 5, reasonCode: 0x87 },
      { cmd: "puback", messageId: 6, reasonCode: 0 },
      { cmd: "connack", reasonCode: 0, sessionPresent: false },
    ];
    const bytes = Buffer.concat(packets.map((p) => gen(p, v5)));
    for (const chunks of cuttings(bytes)) {
      const { out, claimed } = run(chunks, new Set([5, 6]));
      expect(claimed).toEqual([
        [5, 0x87],
        [6, 0],
      ]);
      expect(parseAll(out, 5).map((p) => p.cmd)).toEqual(["connack"]);
    }
  });

  it("switches itself off on bytes it cannot frame, handing them on unchanged for mqtt.js to refuse", () => {
    const garbage = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01, 0x40, 0x02, 0x00, 0x01]);
    const after = gen({ cmd: "puback", messageId: 1 });
    const { out, claimed } = run([garbage, after], new Set([1]));
    expect(out.equals(Buffer.concat([garbage, after]))).toBe(true);
    expect(claimed).toEqual([]);
  });

  it("sits in front of a stream's readers when installed with filterIncoming", async () => {
    const stream = new PassThrough();
    filterIncoming(stream, new PubackFilter((id) => id === 1));
    const seen: Buffer[] = [];
    stream.on("data", (c: Buffer) => seen.push(c));
    stream.push(Buffer.concat([gen({ cmd: "puback", messageId: 1 }), gen({ cmd: "pingresp" })]));
    stream.push(gen({ cmd: "puback", messageId: 1 }));
    stream.push(gen({ cmd: "puback", messageId: 2 }));
    stream.push(null);
    await new Promise((r) => stream.on("end", r));
    expect(parseAll(Buffer.concat(seen)).map((p) => [p.cmd, p.messageId])).toEqual([
      ["pingresp", undefined],
      ["puback", 2],
    ]);
  });
});
