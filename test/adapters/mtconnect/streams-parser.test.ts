import { describe, expect, it } from "vitest";
import {
  MtXmlError,
  parseStreamsXml,
  StreamsParser,
} from "../../../src/adapters/mtconnect/streams-parser.ts";
import { parseMtTimestamp } from "../../../src/adapters/mtconnect/timestamp.ts";

const doc = (body: string, ns = 'xmlns="urn:mtconnect.org:MTConnectStreams:1.3"') =>
  `<?xml version="1.0"?><MTConnectStreams ${ns}><Header instanceId="5" firstSequence="1" nextSequence="9" lastSequence="8"/><Streams>${body}</Streams></MTConnectStreams>`;

const STREAM = doc(
  '<DeviceStream name="m" uuid="u"><ComponentStream component="Path" name="path" componentId="p">' +
    '<Events><Execution dataItemId="e" sequence="3" timestamp="2024-01-01T00:00:00Z">ACTIVE</Execution>' +
    '<Program dataItemId="p1" sequence="4" timestamp="2024-01-01T00:00:00Z">UNAVAILABLE</Program></Events>' +
    '<Condition><Fault dataItemId="c" sequence="5" timestamp="2024-01-01T00:00:00Z" nativeCode="A1" type="SYSTEM">x &amp; y</Fault>' +
    '<Fault dataItemId="c" sequence="6" timestamp="2024-01-01T00:00:00Z" nativeCode="A2" type="SYSTEM">second</Fault>' +
    '<Unavailable dataItemId="d" sequence="7" timestamp="2024-01-01T00:00:00Z" type="SYSTEM"/></Condition>' +
    "</ComponentStream></DeviceStream>",
);

describe("StreamsParser", () => {
  it("reads samples, events and several active conditions of one item", () => {
    const { result, observations } = parseStreamsXml(STREAM);
    expect(result).toMatchObject({
      kind: "streams",
      header: { instanceId: "5", nextSequence: 9 },
      observations: 5,
    });
    expect(observations.map((o) => [o.dataItemId, o.value, o.level, o.nativeCode])).toEqual([
      ["e", "ACTIVE", undefined, undefined],
      ["p1", null, undefined, undefined],
      ["c", "x & y", "fault", "A1"],
      ["c", "second", "fault", "A2"],
      ["d", "", "unavailable", undefined],
    ]);
    expect(observations[0]).toMatchObject({
      device: "m",
      deviceUuid: "u",
      component: "Path",
      category: "EVENT",
    });
  });

  it("gives the same observations whatever the chunk borders", () => {
    const whole = parseStreamsXml(STREAM).observations;
    for (let cut = 1; cut < STREAM.length; cut += 7) {
      const seen: unknown[] = [];
      const p = new StreamsParser((o) => seen.push(o));
      p.write(STREAM.slice(0, cut));
      p.write(STREAM.slice(cut));
      p.end();
      expect(seen).toEqual(whole);
    }
  });

  it("matches elements by local name: a prefix reads like a default namespace", () => {
    const prefixed = STREAM.replace(/<(\/?)([A-Z])/g, "<$1m:$2").replace(
      'xmlns="urn:mtconnect.org:MTConnectStreams:1.3"',
      'xmlns:m="urn:mtconnect.org:MTConnectStreams:2.0"',
    );
    expect(prefixed).toContain("<m:Execution");
    expect(parseStreamsXml(prefixed).observations).toEqual(parseStreamsXml(STREAM).observations);
  });

  it("reads MTConnectError documents of 1.0, 1.x and 2.x", () => {
    const v10 =
      '<MTConnectError><Header instanceId="1"/><Error errorCode="OUT_OF_RANGE">too old</Error></MTConnectError>';
    const v1x =
      '<MTConnectError><Header instanceId="2"/><Errors><Error errorCode="OUT_OF_RANGE">a</Error><Error errorCode="INVALID_XPATH">b</Error></Errors></MTConnectError>';
    const v2x =
      '<MTConnectError><Header instanceId="3"/><Errors><OutOfRange><ErrorMessage>from too small</ErrorMessage></OutOfRange></Errors></MTConnectError>';
    expect(parseStreamsXml(v10).result).toEqual({
      kind: "error",
      header: expect.objectContaining({ instanceId: "1" }),
      errors: [{ code: "OUT_OF_RANGE", message: "too old" }],
    });
    expect(parseStreamsXml(v1x).result).toMatchObject({
      errors: [
        { code: "OUT_OF_RANGE", message: "a" },
        { code: "INVALID_XPATH", message: "b" },
      ],
    });
    expect(parseStreamsXml(v2x).result).toMatchObject({
      errors: [{ code: "OUT_OF_RANGE", message: "from too small" }],
    });
  });

  it("rejects bad input with a clear MtXmlError", () => {
    const bad: [string, RegExp][] = [
      ["", /must contain a root element/],
      ["not xml at all", /malformed XML/],
      [
        '<MTConnectDevices><Header instanceId="1"/></MTConnectDevices>',
        /expected an MTConnectStreams or MTConnectError document, got <MTConnectDevices>/,
      ],
      [STREAM.slice(0, STREAM.length - 40), /malformed XML/],
      [STREAM.replace("</Execution>", "</Events>"), /malformed XML/],
      [`${STREAM}<junk/>`, /malformed XML/],
      [
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><MTConnectStreams>&e;</MTConnectStreams>',
        /malformed XML/,
      ],
    ];
    for (const [xml, message] of bad) {
      expect(() => parseStreamsXml(xml), xml.slice(0, 60)).toThrow(MtXmlError);
      expect(() => parseStreamsXml(xml)).toThrow(message);
    }
  });
});

describe("parseMtTimestamp", () => {
  it("reads UTC with and without Z, offsets and long fractions", () => {
    const t = Date.UTC(2021, 1, 11, 20, 45, 18, 484);
    expect(parseMtTimestamp("2021-02-11T20:45:18.484534")).toBe(t);
    expect(parseMtTimestamp("2021-02-11T20:45:18.484534Z")).toBe(t);
    expect(parseMtTimestamp("2021-02-11T20:45:18.4845346Z")).toBe(t);
    expect(parseMtTimestamp("2021-02-11T21:45:18.484+01:00")).toBe(t);
    expect(parseMtTimestamp("2021-02-11T15:45:18.484-0500")).toBe(t);
    expect(parseMtTimestamp("2021-02-11T20:45:18.5")).toBe(Date.UTC(2021, 1, 11, 20, 45, 18, 500));
    expect(parseMtTimestamp("2021-02-11T20:45")).toBe(Date.UTC(2021, 1, 11, 20, 45));
  });

  it("returns undefined for what is not a timestamp", () => {
    for (const s of ["", "UNAVAILABLE", "2021-02-11", "yesterday", "2021-13-45T99:99:99Z"]) {
      expect(parseMtTimestamp(s), s).toBeUndefined();
    }
  });
});
