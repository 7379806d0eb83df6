// PublishFrames writes MQTT PUBLISH packets by hand; mqtt-packet's parser (the
// one mqtt.js and aedes use) is the oracle that they are well-formed.
import mqttPacket, { type IPublishPacket, type Packet } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { PublishFrames } from "../../src/sinks/mqtt/publish-frames.ts";

function parse(bytes: Buffer, protocolVersion: 4 | 5): Packet[] {
  const parser = mqttPacket.parser({ protocolVersion });
  const packets: Packet[] = [];
  const errors: Error[] = [];
  parser.on("packet", (p: Packet) => packets.push(p));
  parser.on("error", (e: Error) => errors.push(e));
  const left = parser.parse(bytes);
  expect(errors).toEqual([]);
  expect(left).toBe(0); // every byte belonged to a whole packet
  return packets;
}

function published(p: Packet): { topic: string; payload: string; qos: number; retain: boolean } {
  expect(p.cmd).toBe("publish");
  const pub = p as IPublishPacket;
  return { topic: pub.topic, payload: pub.payload.toString(), qos: pub.qos, retain: pub.retain };
}

describe("PublishFrames, QoS 0", () => {
  it("encodes many retained QoS 0 publishes into one buffer, in order", () => {
    const frames = new PublishFrames(4);
    frames.add("maskinport/lf/mill-1/signal/spindle.speed", '{"v":1,"value":1200}', true);
    frames.add("maskinport/lf/mill-1/signal/raw.v0001", '{"v":1,"value":"x"}', true);
    frames.add("maskinport/lf/mill-1/signal/spindle.speed", '{"v":1,"value":1210}', true);
    expect(frames.count).toBe(3);
    const packets = parse(frames.take()!.bytes, 4).map(published);
    expect(packets).toEqual([
      {
        topic: "maskinport/lf/mill-1/signal/spindle.speed",
        payload: '{"v":1,"value":1200}',
        qos: 0,
        retain: true,
      },
      {
        topic: "maskinport/lf/mill-1/signal/raw.v0001",
        payload: '{"v":1,"value":"x"}',
        qos: 0,
        retain: true,
      },
      {
        topic: "maskinport/lf/mill-1/signal/spindle.speed",
        payload: '{"v":1,"value":1210}',
        qos: 0,
        retain: true,
      },
    ]);
  });

  it("empties itself on take, and takes nothing when nothing was added", () => {
    const frames = new PublishFrames(4);
    expect(frames.take()).toBeUndefined();
    frames.add("a/b", "1", false);
    expect(parse(frames.take()!.bytes, 4).map(published)).toEqual([
      { topic: "a/b", payload: "1", qos: 0, retain: false },
    ]);
    expect(frames.count).toBe(0);
    expect(frames.take()).toBeUndefined();
  });

  it("counts UTF-8 bytes, not characters, in topics and payloads", () => {
    const frames = new PublishFrames(4);
    frames.add(
      "maskinport/læringsfabrikken/fres-ø/signal/raw.måling",
      '{"unit":"°C","note":"støy 🚧"}',
      true,
    );
    expect(parse(frames.take()!.bytes, 4).map(published)).toEqual([
      {
        topic: "maskinport/læringsfabrikken/fres-ø/signal/raw.måling",
        payload: '{"unit":"°C","note":"støy 🚧"}',
        qos: 0,
        retain: true,
      },
    ]);
  });

  // The Remaining Length grows from one to three bytes at 128 and 16,384.
  it.each([0, 1, 120, 121, 122, 16_370, 16_380, 200_000])(
    "encodes the remaining length right around its byte boundaries (payload %i bytes)",
    (size) => {
      const frames = new PublishFrames(4);
      const payload = "x".repeat(size);
      frames.add("t/opic", payload, true);
      frames.add("t/next", "after", true);
      const packets = parse(frames.take()!.bytes, 4).map(published);
      expect(packets.map((p) => [p.topic, p.payload.length])).toEqual([
        ["t/opic", size],
        ["t/next", 5],
      ]);
    },
  );

  it("adds the empty property block of MQTT 5", () => {
    const frames = new PublishFrames(5);
    frames.add("a/b", '{"v":1}', true);
    frames.add("a/c", "", true);
    expect(parse(frames.take()!.bytes, 5).map(published)).toEqual([
      { topic: "a/b", payload: '{"v":1}', qos: 0, retain: true },
      { topic: "a/c", payload: "", qos: 0, retain: true },
    ]);
  });

  it("refuses a topic longer than the protocol allows, naming the limit", () => {
    const frames = new PublishFrames(4);
    expect(() => frames.add("t".repeat(70_000), "1", true)).toThrow(/65,535/);
    expect(frames.count).toBe(0);
  });
});

describe("PublishFrames, QoS 1", () => {
  it("encodes packet ids, QoS and retain exactly as mqtt-packet's own generator does", () => {
    for (const protocolVersion of [4, 5] as const) {
      const frames = new PublishFrames(protocolVersion);
      const cases = [
        {
          topic: "maskinport/lf/mill-1/signal/raw.v0001",
          payload: '{"v":1,"value":1.5}',
          retain: true,
          id: 1,
        },
        {
          topic: "maskinport/lf/mill-1/event/alarm",
          payload: '{"v":1,"text":"støy"}',
          retain: false,
          id: 300,
        },
        { topic: "a/b", payload: "x".repeat(20_000), retain: true, id: 65_535 },
      ];
      const expected: Buffer[] = [];
      for (const c of cases) {
        frames.add(c.topic, c.payload, c.retain, c.id);
        expected.push(
          mqttPacket.generate(
            {
              cmd: "publish",
              topic: c.topic,
              payload: c.payload,
              qos: 1,
              retain: c.retain,
              dup: false,
              messageId: c.id,
              ...(protocolVersion === 5 ? { properties: {} } : {}),
            },
            { protocolVersion },
          ),
        );
      }
      const taken = frames.take()!;
      expect(taken.bytes.equals(Buffer.concat(expected))).toBe(true);
      // `ends` cuts the buffer into the packets, one each.
      let start = 0;
      taken.ends.forEach((end, i) => {
        expect(taken.bytes.subarray(start, end).equals(expected[i]!)).toBe(true);
        start = end;
      });
      const parsed = parse(taken.bytes, protocolVersion) as IPublishPacket[];
      expect(parsed.map((p) => [p.qos, p.messageId, p.retain, p.dup])).toEqual(
        cases.map((c) => [1, c.id, c.retain, false]),
      );
    }
  });

  it("mixes QoS 0 and QoS 1 packets in one buffer", () => {
    const frames = new PublishFrames(4);
    frames.add("a/0", "zero", true);
    frames.add("a/1", "one", true, 7);
    const parsed = parse(frames.take()!.bytes, 4) as IPublishPacket[];
    expect(parsed.map((p) => [p.topic, p.qos, p.messageId ?? null])).toEqual([
      ["a/0", 0, null],
      ["a/1", 1, 7],
    ]);
  });

  it("refuses a packet id outside 1–65535", () => {
    const frames = new PublishFrames(4);
    expect(() => frames.add("a/b", "1", true, 65_536)).toThrow(/65535/);
    expect(() => frames.add("a/b", "1", true, -1)).toThrow(/65535/);
    expect(frames.count).toBe(0);
  });
});
