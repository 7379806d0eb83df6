// The body of a shared-log record (format version 2): one section per sink
// that takes the batch, so a single write holds the batch for every sink.
//
//   u8 section count
//   per section: u8 sink-name length, sink name (ASCII), u32 items, u32 body bytes
//   then the section bodies, in the same order
//
// Each body is that sink's own encoding (MQTT messages, Influx points): a
// sink reads back only its section and never decodes another's.

/**
 * One sink's section of a record. `text`: the body as the sink appended it (a string), kept so
 * that the sink's view can hand a record it just wrote back from memory (sink-outbox.ts).
 */
export type SectionInput = { sink: string; items: number; body: Buffer; text?: string };

export type SectionRef = { sink: string; items: number; start: number; end: number };

const MAX_NAME = 255;

/** The table that precedes the bodies (the bodies are written after it, unchanged). */
export function encodeSectionTable(sections: readonly SectionInput[]): Buffer {
  let size = 1;
  for (const s of sections) size += 1 + s.sink.length + 8;
  const table = Buffer.allocUnsafe(size);
  table.writeUInt8(sections.length, 0);
  let at = 1;
  for (const s of sections) {
    if (s.sink.length > MAX_NAME) throw new Error(`outbox sink name too long: ${s.sink}`);
    table.writeUInt8(s.sink.length, at);
    table.write(s.sink, at + 1, "latin1");
    at += 1 + s.sink.length;
    table.writeUInt32LE(s.items, at);
    table.writeUInt32LE(s.body.length, at + 4);
    at += 8;
  }
  return table;
}

/** Where each section lies in `body`. Throws on a table that does not fit the body (damage). */
export function readSections(body: Buffer): SectionRef[] {
  const count = body.readUInt8(0);
  const refs: SectionRef[] = [];
  let at = 1;
  const heads: { sink: string; items: number; bytes: number }[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = body.readUInt8(at);
    const sink = body.toString("latin1", at + 1, at + 1 + nameLength);
    at += 1 + nameLength;
    heads.push({ sink, items: body.readUInt32LE(at), bytes: body.readUInt32LE(at + 4) });
    at += 8;
  }
  for (const h of heads) {
    refs.push({ sink: h.sink, items: h.items, start: at, end: at + h.bytes });
    at += h.bytes;
  }
  if (at !== body.length) throw new Error("outbox record: section table does not match the body");
  return refs;
}

/** The section of `sink` in `body`, if the record has one. */
export function sectionOf(body: Buffer, sink: string): SectionRef | undefined {
  for (const ref of readSections(body)) if (ref.sink === sink) return ref;
  return undefined;
}
