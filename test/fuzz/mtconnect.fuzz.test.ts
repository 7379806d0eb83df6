import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BindingError, bindAgent } from "../../src/adapters/mtconnect/bindings.ts";
import { convertObservation } from "../../src/adapters/mtconnect/convert.ts";
import { MultipartError, MultipartFramer } from "../../src/adapters/mtconnect/multipart.ts";
import { MtXmlError, StreamsParser } from "../../src/adapters/mtconnect/streams-parser.ts";
import { DevicesXmlError, parseDevicesXml } from "../../src/adapters/mtconnect-common/devices.ts";
import type { Reading } from "../../src/core/observation.ts";
import {
  attempt,
  chunked,
  expectBoundedOutput,
  fuzzParameters,
  hostileText,
  withinBudget,
  withinBudgetPerStep,
} from "./support.ts";

// What an MTConnect agent sends over HTTP: /probe (Devices.xml), /current and
// /sample documents, and the multipart stream that carries them. Every parser
// must be total (only its own error types), within budget, and bounded in what
// one document becomes.

const DEVICES = readFileSync(
  new URL("../adapters/mtconnect/cases/simple-stream/devices.xml", import.meta.url),
  "utf8",
);
const BINDINGS = bindAgent(parseDevicesXml(DEVICES), [{ id: "m", device: "SimpleCnc" }], "fuzz");

const XML_PIECES = [
  "<",
  ">",
  "/",
  "=",
  '"',
  "&amp;",
  "&#x41;",
  "<![CDATA[",
  "]]>",
  "<!--",
  "-->",
  " ",
  "a",
  "1",
  "é",
  "\u0000",
  "m:",
];
const XML_UNITS = ["<a>", "<a", "</a>", "&amp;", "<![CDATA[x", "<!--", '="', "1 "];

const DATA_ITEMS = ["tc9edc70", "a01c7f30", "dcbc0570", "d5b078a0", "a557d330", "nope"];
const ELEMENTS = [
  "VoltAmpereTimeSeries",
  "Execution",
  "Position",
  "Availability",
  "Fault",
  "Normal",
  "Warning",
  "Unavailable",
  "Program",
];
const CATEGORIES = ["Samples", "Events", "Condition"];

const sampleText = fc.oneof(
  fc.integer({ min: 0, max: 2000 }).map((n) => "1.5 ".repeat(n)),
  // Far over the limit: refused before it is converted.
  fc.noBias(fc.integer({ min: 60_000, max: 300_000 })).map((n) => "1 ".repeat(n)),
);

const observation = fc
  .record({
    category: fc.constantFrom(...CATEGORIES),
    element: fc.constantFrom(...ELEMENTS),
    id: fc.constantFrom(...DATA_ITEMS),
    series: fc.boolean(),
    text: fc.oneof(hostileText(XML_PIECES, XML_UNITS, 2000), sampleText, fc.constant("UNAVAILABLE")),
    entries: fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), { maxLength: 4 }),
  })
  .map(({ category, element, id, series, text, entries }) => {
    const attrs = `dataItemId="${id}" sequence="7" timestamp="2024-03-01T08:00:00Z"${series ? ` sampleCount="3" sampleRate="10"` : ""}`;
    const body =
      entries.length > 0
        ? entries.map(([k, v]) => `<Entry key="${escapeXml(k)}">${escapeXml(v)}</Entry>`).join("")
        : escapeXml(text);
    return `<${category}><${element} ${attrs}>${body}</${element}></${category}>`;
  });

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
}

const document = fc
  .tuple(fc.array(observation, { maxLength: 8 }), fc.string({ maxLength: 10 }))
  .map(
    ([observations, instance]) =>
      `<?xml version="1.0"?><MTConnectStreams xmlns:m="urn:x"><Header instanceId="${escapeXml(instance)}" firstSequence="1" nextSequence="9"/><Streams><DeviceStream name="SimpleCnc"><ComponentStream component="Electric">${observations.join("")}</ComponentStream></DeviceStream></Streams></MTConnectStreams>`,
  );

/** A document, damaged or not: bytes cut, inserted, or the whole thing replaced by hostile text. */
const damagedDocument = fc.oneof(
  document,
  fc
    .tuple(document, fc.nat(), fc.nat())
    .map(([xml, a, b]) => xml.slice(0, a % (xml.length + 1)) + xml.slice(b % (xml.length + 1))),
  fc.tuple(document, fc.nat(), hostileText(XML_PIECES, XML_UNITS, 2000)).map(([xml, at, junk]) => {
    const i = at % (xml.length + 1);
    return xml.slice(0, i) + junk + xml.slice(i);
  }),
  hostileText(XML_PIECES, XML_UNITS),
);

/** Bytes of one socket read: what the agent client parses in one go. */
const SOCKET_CHUNK = 64 * 1024;

/**
 * Parse and convert one document the way the agent client does: chunk by
 * chunk as the bytes arrive (at most a socket read each), converting at the end.
 */
function convert(xml: string, cuts: readonly number[], step: <S>(run: () => S) => S): Reading[] {
  const out: Reading[] = [];
  const parser = new StreamsParser((o) => {
    const b = BINDINGS.byDevice.get(o.device)?.items.get(o.dataItemId);
    if (b) convertObservation(b, o, 0, out);
  });
  const bytes = Buffer.from(xml);
  const reads = [
    ...cuts,
    ...Array.from({ length: Math.ceil(bytes.length / SOCKET_CHUNK) }, (_, i) => i * SOCKET_CHUNK),
  ];
  for (const piece of chunked(bytes, reads)) step(() => parser.write(piece.toString("latin1")));
  step(() => parser.end());
  return out;
}

describe("fuzz: MTConnect streams documents", () => {
  it("parse to readings or MtXmlError, within budget, at most one reading per two bytes", () => {
    fc.assert(
      fc.property(damagedDocument, fc.array(fc.nat(), { maxLength: 6 }), (xml, cuts) => {
        const outcome = withinBudgetPerStep("streams document", (step) =>
          attempt(() => convert(xml, cuts, step), [MtXmlError]),
        );
        if (!outcome.ok) return;
        expectBoundedOutput("readings", xml.length / 2, outcome.value.length, 1, 1);
        // Text values are cut from the document (a number or null stands for at least one character).
        const chars = outcome.value.reduce(
          (n, r) => n + (typeof r.value === "string" ? r.value.length : 1) + (r.alarm?.text.length ?? 0),
          0,
        );
        expectBoundedOutput("value characters", xml.length, chars, 1, 64);
      }),
      fuzzParameters(),
    );
  });
});

describe("fuzz: MTConnect multipart stream", () => {
  const part = fc.record({
    body: fc.oneof(
      fc.string({ maxLength: 300 }),
      hostileText(["--b", "\r\n", "\n", "x", "Content-length: 3"], ["--b\r\n", "\r\n\r\n"], 500),
    ),
    length: fc.oneof(fc.constant("right"), fc.constant("none"), fc.constant("wrong"), fc.constant("junk")),
  });
  const stream = fc
    .tuple(fc.array(part, { maxLength: 6 }), fc.boolean(), fc.string({ maxLength: 20 }))
    .map(([parts, close, junk]) => {
      const text = parts
        .map(({ body, length }) => {
          const n = Buffer.byteLength(body);
          const header =
            length === "right"
              ? `Content-length: ${n}\r\n`
              : length === "wrong"
                ? `Content-length: ${n + 3}\r\n`
                : length === "junk"
                  ? "Content-length: 1x\r\n"
                  : "";
          return `--b\r\nContent-type: text/xml\r\n${header}\r\n${body}\r\n`;
        })
        .join("");
      return Buffer.from(`${junk}${text}${close ? "--b--\r\n" : ""}`);
    });

  it("frames parts or throws MultipartError, the same parts whatever the chunks, never more bytes than came in", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          stream,
          fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
        ),
        fc.array(fc.nat(), { maxLength: 20 }),
        (bytes, cuts) => {
          const frame = (chunks: Buffer[]) =>
            attempt(() => {
              const parts: string[] = [];
              let current: Buffer[] = [];
              const framer = new MultipartFramer(
                "b",
                {
                  partStart: () => {
                    current = [];
                  },
                  partData: (chunk) => current.push(Buffer.from(chunk)),
                  partEnd: () => parts.push(Buffer.concat(current).toString("latin1")),
                },
                { maxPartBytes: 100_000 },
              );
              for (const c of chunks) framer.push(c);
              return parts;
            }, [MultipartError]);
          const whole = withinBudget("multipart (one chunk)", () => frame([bytes]));
          const pieces = withinBudget("multipart (chunks)", () => frame(chunked(bytes, cuts)));
          if (whole.ok && pieces.ok) expect(pieces.value).toEqual(whole.value);
          if (whole.ok) {
            const out = whole.value.reduce((n, p) => n + p.length, 0);
            expectBoundedOutput("part bytes", bytes.length, out, 1);
          }
        },
      ),
      fuzzParameters(),
    );
  });
});

describe("fuzz: Devices.xml (/probe)", () => {
  const damaged = fc.oneof(
    fc
      .tuple(fc.nat(), fc.nat())
      .map(([a, b]) => DEVICES.slice(0, a % DEVICES.length) + DEVICES.slice(b % DEVICES.length)),
    fc.tuple(fc.nat(), hostileText(XML_PIECES, XML_UNITS, 1000)).map(([at, junk]) => {
      const i = at % DEVICES.length;
      return DEVICES.slice(0, i) + junk + DEVICES.slice(i);
    }),
    hostileText(XML_PIECES, XML_UNITS),
  );

  it("parses to devices or DevicesXmlError within budget, and binding them never throws anything else", () => {
    fc.assert(
      fc.property(damaged, (xml) => {
        const outcome = withinBudget("parseDevicesXml", () =>
          attempt(
            () => bindAgent(parseDevicesXml(xml), [{ id: "m" }], "fuzz"),
            [DevicesXmlError, BindingError],
          ),
        );
        if (!outcome.ok) return;
        const items = [...outcome.value.byDevice.values()].reduce((n, d) => n + d.items.size, 0);
        expectBoundedOutput("bound items", xml.length / 10, items, 1);
      }),
      fuzzParameters(0.5),
    );
  });
});
