import { SaxesParser, type SaxesTagPlain } from "saxes";
import type { AlarmLevel } from "../../core/observation.ts";

// A streaming (SAX) reader of MTConnectStreams and MTConnectError documents,
// 1.x to 2.x. It hands out each observation as soon as its element closes and
// never builds a tree, so a large /current or /sample document is held at most
// once (as the chunk being parsed), and parsing starts before the part has
// fully arrived. Namespaces: elements are matched by local name, so a default
// namespace, an `m:` prefix and any schema version read the same.

export type MtCategory = "SAMPLE" | "EVENT" | "CONDITION";

export type MtHeader = {
  instanceId: string;
  version?: string;
  creationTime?: string;
  bufferSize?: number;
  firstSequence?: number;
  lastSequence?: number;
  nextSequence?: number;
};

/** One observation as the agent wrote it; values stay text (convert.ts types them). */
export type MtObservation = {
  device: string;
  deviceUuid?: string;
  component: string;
  componentName?: string;
  category: MtCategory;
  /** Element local name: "Position", "Execution", "PathFeedrateTimeSeries", "Fault"… */
  element: string;
  dataItemId: string;
  name?: string;
  subType?: string;
  sequence: number;
  timestamp: string;
  /** Trimmed text; null for UNAVAILABLE (and for condition levels other than the message). */
  value: string | null;
  /** Conditions only. */
  level?: AlarmLevel;
  conditionType?: string;
  nativeCode?: string;
  nativeSeverity?: string;
  qualifier?: string;
  /** TimeSeries representation only. */
  sampleCount?: number;
  sampleRate?: number;
};

export type MtAgentError = { code: string; message: string };

export type StreamsResult =
  | { kind: "streams"; header: MtHeader | undefined; observations: number }
  | { kind: "error"; header: MtHeader | undefined; errors: MtAgentError[] };

/** The document is not well-formed XML or not an MTConnect streams/error document. */
export class MtXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MtXmlError";
  }
}

/**
 * What one document may expand to. `maxDocumentBytes` bounds the bytes that
 * arrive, but not what they become: a TimeSeries observation's values turn
 * into one reading each (≈ 110 bytes of memory per byte of "1 "), so a
 * document under the byte limit could still fill the heap.
 */
export type DocumentLimits = {
  /** Most readings the document's observations may become (a TimeSeries counts one per sample). */
  maxReadings: number;
  /** Most characters of observation values held for the document. */
  maxValueBytes: number;
  /** Who sent the document, for the error (e.g. "agent http://mill-2:5000"). */
  source: string;
};

export const DEFAULT_DOCUMENT_LIMITS = { maxReadings: 50_000, maxValueBytes: 16 * 1024 * 1024 } as const;

/** A document would expand beyond DocumentLimits: refused, nothing of it is emitted. */
export class MtDocumentLimitError extends MtXmlError {
  constructor(message: string) {
    super(message);
    this.name = "MtDocumentLimitError";
  }
}

/** Whitespace-separated values in a TimeSeries text, counted without splitting it. */
function countSamples(text: string): number {
  let count = 0;
  let inValue = false;
  for (let i = 0; i < text.length; i++) {
    const space = text.charCodeAt(i) <= 32;
    if (!space && !inValue) count++;
    inValue = !space;
  }
  return count;
}

const CONDITION_LEVELS: Record<string, AlarmLevel> = {
  Normal: "normal",
  Warning: "warning",
  Fault: "fault",
  Unavailable: "unavailable",
};
const CATEGORY_OF: Record<string, MtCategory> = {
  Samples: "SAMPLE",
  Events: "EVENT",
  Condition: "CONDITION",
};

const localName = (qname: string): string => {
  const colon = qname.indexOf(":");
  return colon < 0 ? qname : qname.slice(colon + 1);
};

const optNumber = (s: string | undefined): number | undefined => {
  if (s === undefined || s === "") return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};

/** "OutOfRange" → "OUT_OF_RANGE" (2.x error elements are named after the code). */
const toErrorCode = (element: string): string => element.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

type OpenObservation = {
  element: string;
  attrs: Record<string, string>;
  text: string;
  /** DataSet / Table entries, rendered as SHDR does: `key=value` or `key={cell=value …}`. */
  entries: string[] | undefined;
};

export class StreamsParser {
  private readonly sax: SaxesParser;
  private depth = 0;
  private root: "streams" | "error" | undefined;
  private header: MtHeader | undefined;
  private count = 0;
  private readonly errors: MtAgentError[] = [];
  private inStreams = false;
  private inErrors = false;
  private device: { name: string; uuid?: string } | undefined;
  private component: { component: string; name?: string } | undefined;
  private category: MtCategory | undefined;
  private obs: OpenObservation | undefined;
  private obsDepth = -1;
  private entryKey: string | undefined;
  private entryText = "";
  private cells: string[] | undefined;
  private cellKey: string | undefined;
  private error: MtAgentError | undefined;
  private errorDepth = -1;
  private readonly onObservation: (o: MtObservation) => void;
  private readonly onHeader: ((h: MtHeader) => void) | undefined;
  private readonly limits: DocumentLimits;
  /** Readings the observations so far would become, and value characters held (see DocumentLimits). */
  private expandedReadings = 0;
  private valueBytes = 0;

  constructor(
    onObservation: (o: MtObservation) => void,
    onHeader?: (h: MtHeader) => void,
    limits: Partial<DocumentLimits> = {},
  ) {
    this.onObservation = onObservation;
    this.onHeader = onHeader;
    this.limits = { ...DEFAULT_DOCUMENT_LIMITS, source: "the agent", ...limits };
    this.sax = new SaxesParser({ xmlns: false, position: true });
    this.sax.on("opentag", (tag) => this.open(tag as SaxesTagPlain));
    this.sax.on("closetag", () => this.close());
    this.sax.on("text", (t) => this.text(t));
    this.sax.on("cdata", (t) => this.text(t));
    this.sax.on("error", (e) => {
      throw new MtXmlError(`malformed XML: ${e.message}`);
    });
  }

  /** Feed the next piece of the document (any split point). Throws MtXmlError. */
  write(chunk: string): void {
    this.sax.write(chunk);
  }

  /** The document is complete: checks it was whole and says what it was. Throws MtXmlError. */
  end(): StreamsResult {
    this.sax.close();
    if (this.root === undefined)
      throw new MtXmlError("empty document: no MTConnectStreams or MTConnectError element");
    if (this.root === "error") return { kind: "error", header: this.header, errors: this.errors };
    return { kind: "streams", header: this.header, observations: this.count };
  }

  private open(tag: SaxesTagPlain): void {
    const name = localName(tag.name);
    const depth = this.depth++;
    const a = tag.attributes;
    if (this.obs) {
      this.openInsideObservation(name, a);
      return;
    }
    if (this.error) return;
    if (depth === 0) {
      if (name === "MTConnectStreams") this.root = "streams";
      else if (name === "MTConnectError") this.root = "error";
      else throw new MtXmlError(`expected an MTConnectStreams or MTConnectError document, got <${name}>`);
      return;
    }
    if (depth === 1) {
      if (name === "Header") this.readHeader(a);
      else if (name === "Streams") this.inStreams = this.root === "streams";
      else if (name === "Errors") this.inErrors = this.root === "error";
      else if (name === "Error" && this.root === "error") this.startError(name, a, depth); // 1.0: no <Errors>
      return;
    }
    if (this.inErrors && depth === 2) {
      this.startError(name, a, depth);
      return;
    }
    if (!this.inStreams) return;
    if (depth === 2 && name === "DeviceStream") {
      this.device = { name: a.name ?? "", uuid: a.uuid };
    } else if (depth === 3 && name === "ComponentStream" && this.device) {
      this.component = { component: a.component ?? "", name: a.name };
    } else if (depth === 4 && this.component) {
      this.category = CATEGORY_OF[name];
    } else if (depth === 5 && this.category) {
      this.obs = { element: name, attrs: a, text: "", entries: undefined };
      this.obsDepth = depth;
    }
  }

  private openInsideObservation(name: string, a: Record<string, string>): void {
    const obs = this.obs!;
    if (name === "Entry") {
      obs.entries ??= [];
      this.entryKey = a.key ?? "";
      this.entryText = "";
      this.cells = undefined;
    } else if (name === "Cell" && this.entryKey !== undefined) {
      this.cells ??= [];
      this.cellKey = a.key ?? "";
      this.entryText = "";
    }
  }

  private text(t: string): void {
    if (this.obs) {
      this.valueBytes += t.length;
      if (this.valueBytes > this.limits.maxValueBytes) {
        throw this.limitError(
          `more than ${this.limits.maxValueBytes} characters of values`,
          "maxValueBytesPerDocument",
        );
      }
      if (this.entryKey !== undefined) this.entryText += t;
      else this.obs.text += t;
    } else if (this.error) {
      this.error.message += t;
    }
  }

  private close(): void {
    const depth = --this.depth;
    if (this.obs) {
      if (depth === this.obsDepth) this.finishObservation();
      else this.closeInsideObservation();
      return;
    }
    if (this.error) {
      if (depth === this.errorDepth) {
        this.error.message = this.error.message.replace(/\s+/g, " ").trim();
        this.errors.push(this.error);
        this.error = undefined;
      }
      return;
    }
    if (depth === 4) this.category = undefined;
    else if (depth === 3) this.component = undefined;
    else if (depth === 2) this.device = undefined;
    else if (depth === 1) {
      this.inStreams = false;
      this.inErrors = false;
    }
  }

  private closeInsideObservation(): void {
    const obs = this.obs!;
    if (this.cellKey !== undefined) {
      this.cells!.push(`${this.cellKey}=${this.entryText.trim()}`);
      this.cellKey = undefined;
      this.entryText = "";
    } else if (this.entryKey !== undefined) {
      const value = this.cells ? `{${this.cells.join(" ")}}` : this.entryText.trim();
      obs.entries!.push(`${this.entryKey}=${value}`);
      this.entryKey = undefined;
      this.cells = undefined;
    }
  }

  private readHeader(a: Record<string, string>): void {
    this.header = {
      instanceId: a.instanceId ?? "",
      version: a.version,
      creationTime: a.creationTime,
      bufferSize: optNumber(a.bufferSize),
      firstSequence: optNumber(a.firstSequence),
      lastSequence: optNumber(a.lastSequence),
      nextSequence: optNumber(a.nextSequence),
    };
    this.onHeader?.(this.header);
  }

  private startError(name: string, a: Record<string, string>, depth: number): void {
    this.error = { code: a.errorCode ?? toErrorCode(name), message: "" };
    this.errorDepth = depth;
  }

  private finishObservation(): void {
    const p = this.obs!;
    this.obs = undefined;
    this.obsDepth = -1;
    const a = p.attrs;
    const text = p.text.trim();
    const o: MtObservation = {
      device: this.device!.name,
      deviceUuid: this.device!.uuid,
      component: this.component!.component,
      componentName: this.component!.name,
      category: this.category!,
      element: p.element,
      dataItemId: a.dataItemId ?? "",
      name: a.name,
      subType: a.subType,
      sequence: optNumber(a.sequence) ?? -1,
      timestamp: a.timestamp ?? "",
      value: p.entries ? p.entries.join(" ") : text === "UNAVAILABLE" ? null : text,
    };
    if (this.category === "CONDITION") {
      o.level = CONDITION_LEVELS[p.element] ?? "unavailable";
      o.value = text;
      o.conditionType = a.type;
      o.nativeCode = a.nativeCode;
      o.nativeSeverity = a.nativeSeverity;
      o.qualifier = a.qualifier;
    } else if (a.sampleCount !== undefined) {
      o.sampleCount = optNumber(a.sampleCount);
      o.sampleRate = optNumber(a.sampleRate);
    }
    this.expandedReadings += o.sampleCount !== undefined && o.value !== null ? countSamples(o.value) : 1;
    if (this.expandedReadings > this.limits.maxReadings) {
      throw this.limitError(`more than ${this.limits.maxReadings} readings`, "maxReadingsPerDocument");
    }
    this.count++;
    this.onObservation(o);
  }

  private limitError(what: string, option: string): MtDocumentLimitError {
    return new MtDocumentLimitError(
      `document from ${this.limits.source} would expand to ${what} (limit ${option}): refused, nothing of it used; ask for fewer observations per document (count) or raise ${option}`,
    );
  }
}

/** Parse a whole document held in a string (tests, /probe-sized documents). */
export function parseStreamsXml(
  xml: string,
  limits: Partial<DocumentLimits> = {},
): { result: StreamsResult; observations: MtObservation[] } {
  const observations: MtObservation[] = [];
  const parser = new StreamsParser((o) => observations.push(o), undefined, limits);
  parser.write(xml);
  return { result: parser.end(), observations };
}
