// Qos0Frames writes MQTT PUBLISH packets by hand; mqtt-packet's parser (the
// one mqtt.js and aedes use) is the oracle that they are well-formed.
import mqttPacket, { type IPublishPacket, type Packet } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { Qos0Frames } from "../../src/sinks/mqtt/qos0-frames.ts";

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

describe("Qos0Frames", () => {
  it("encodes many retained QoS 0 publishes into one buffer, in order", () => {
    const frames = new Qos0Frames(4);
    frames.add("maskinport/lf/mill-1/signal/spindle.speed", '{"v":1,"value":1200}');
    frames.add("maskinport/lf/mill-1/signal/raw.v0001", '{"v":1,"value":"x"}');
    frames.add("maskinport/lf/mill-1/signal/spindle.speed", '{"v":1,"value":1210}');
    expect(frames.count).toBe(3);
    const packets = parse(frames.take(true)!, 4).map(published);
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
    const frames = new Qos0Frames(4);
    expect(frames.take(true)).toBeUndefined();
    frames.add("a/b", "1");
    expect(parse(frames.take(false)!, 4).map(published)).toEqual([
      { topic: "a/b", payload: "1", qos: 0, retain: false },
    ]);
    expect(frames.count).toBe(0);
    expect(frames.take(true)).toBeUndefined();
  });

  it("counts UTF-8 bytes, not characters, in topics and payloads", () => {
    const frames = new Qos0Frames(4);
    frames.add("maskinport/læringsfabrikken/fres-ø/signal/raw.måling", '{"unit":"°C","note":"støy 🚧"}');
    expect(parse(frames.take(true)!, 4).map(published)).toEqual([
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
      const frames = new Qos0Frames(4);
      const payload = "x".repeat(size);
      frames.add("t/opic", payload);
      frames.add("t/next", "after");
      const packets = parse(frames.take(true)!, 4).map(published);
      expect(packets.map((p) => [p.topic, p.payload.length])).toEqual([
        ["t/opic", size],
        ["t/next", 5],
      ]);
    },
  );

  it("adds the empty property block of MQTT 5", () => {
    const frames = new Qos0Frames(5);
    frames.add("a/b", '{"v":1}');
    frames.add("a/c", "");
    expect(parse(frames.take(true)!, 5).map(published)).toEqual([
      { topic: "a/b", payload: '{"v":1}', qos: 0, retain: true },
      { topic: "a/c", payload: "", qos: 0, retain: true },
    ]);
  });

  it("refuses a topic longer than the protocol allows, naming the limit", () => {
    const frames = new Qos0Frames(4);
    expect(() => frames.add("t".repeat(70_000), "1")).toThrow(/65,535/);
    expect(frames.count).toBe(0);
  });
});
