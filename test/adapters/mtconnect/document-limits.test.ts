import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_DOCUMENT_LIMITS,
  MtDocumentLimitError,
  parseStreamsXml,
} from "../../../src/adapters/mtconnect/streams-parser.ts";
import { waitFor } from "../../support/ports.ts";
import { startAdapter } from "./harness.ts";

// Issue 13 item 2: maxDocumentBytes bounds the bytes of a document, but a
// TimeSeries observation becomes one reading per value (≈ 110 bytes of
// memory per byte of "1 "): a 16 MiB document took +1.7 GB, 60 MiB ran a 4 GB
// heap out. What one document may expand to is bounded too.

const DEVICES = readFileSync(new URL("cases/simple-stream/devices.xml", import.meta.url), "utf8");

/** A streams document with one TimeSeries observation of `samples` values (item tc9edc70 of SimpleCnc). */
function timeSeriesDocument(samples: number, text = "1 "): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<MTConnectStreams xmlns="urn:mtconnect.org:MTConnectStreams:1.4">
  <Header creationTime="2024-03-01T08:00:00Z" instanceId="1" version="1.4.0" bufferSize="1024" firstSequence="1" lastSequence="10" nextSequence="11"/>
  <Streams>
    <DeviceStream name="SimpleCnc" uuid="872a3490-bd2d-0136-3eb0-0c85909298d9">
      <ComponentStream component="Electric" componentId="afb91ba0">
        <Samples>
          <VoltAmpereTimeSeries dataItemId="tc9edc70" name="pampts" sequence="10" timestamp="2024-03-01T08:00:00Z" sampleCount="${samples}" sampleRate="100">${text.repeat(samples)}</VoltAmpereTimeSeries>
        </Samples>
      </ComponentStream>
    </DeviceStream>
  </Streams>
</MTConnectStreams>
`;
}

describe("MTConnect streams parser: what one document may expand to", () => {
  it("a TimeSeries of more samples than maxReadings is refused, naming the source and the limit", () => {
    const xml = timeSeriesDocument(DEFAULT_DOCUMENT_LIMITS.maxReadings + 1);
    expect(xml.length).toBeLessThan(1024 * 1024); // far under maxDocumentBytes (64 MiB)
    expect(() => parseStreamsXml(xml, { source: "agent http://mill-2:5000" })).toThrow(
      new MtDocumentLimitError(
        "document from agent http://mill-2:5000 would expand to more than 50000 readings (limit maxReadingsPerDocument): refused, nothing of it used; ask for fewer observations per document (count) or raise maxReadingsPerDocument",
      ),
    );
  });

  it("up to the limit is read as before", () => {
    const { observations } = parseStreamsXml(timeSeriesDocument(1000), { maxReadings: 1000 });
    expect(observations).toHaveLength(1);
    expect(observations[0]?.sampleCount).toBe(1000);
  });

  it("values longer than maxValueBytes are refused while they arrive", () => {
    const xml = timeSeriesDocument(1, "x".repeat(100_000));
    expect(() => parseStreamsXml(xml, { maxValueBytes: 65_536 })).toThrow(
      /would expand to more than 65536 characters of values \(limit maxValueBytesPerDocument\)/,
    );
  });
});

describe("MtconnectAdapter: an expanding document is a clear error", () => {
  let server: Server | undefined;
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    await new Promise((resolve) => server?.close(resolve));
    server?.closeAllConnections();
  });

  it("the error names the agent and maxReadingsPerDocument; nothing of the document is emitted", async () => {
    server = createServer((req, res) => {
      const body = req.url?.startsWith("/probe") ? DEVICES : timeSeriesDocument(5000);
      res.writeHead(200, { "content-type": "text/xml" }).end(body);
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const url = `http://127.0.0.1:${address.port}`;
    const h = await startAdapter(url, [{ id: "cnc-1", device: "SimpleCnc" }], {
      maxReadingsPerDocument: 1000,
    });
    stop = () => h.stop();
    await waitFor("the limit error", () => /maxReadingsPerDocument/.test(h.adapter.stats.lastError ?? ""));
    expect(h.adapter.stats.lastError).toMatch(
      new RegExp(
        `document from agent ${url} would expand to more than 1000 readings \\(limit maxReadingsPerDocument\\)`,
      ),
    );
    expect(h.adapter.stats.errors).toBeGreaterThanOrEqual(1);
    expect(h.readings.filter((r) => r.source.ref === "tc9edc70")).toEqual([]);
  });
});
