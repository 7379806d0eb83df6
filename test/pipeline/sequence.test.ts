import { describe, expect, it } from "vitest";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { SequenceCounter } from "../../src/pipeline/sequence.ts";
import { rd } from "./readings.ts";

describe("SequenceCounter", () => {
  it("starts at 1 by default and counts up by one", () => {
    const seq = new SequenceCounter();
    expect([seq.next(), seq.next(), seq.next()]).toEqual([1, 2, 3]);
    expect(seq.last).toBe(3);
  });

  it("starts at an injected first seq (restart: last stored + 1)", () => {
    const seq = new SequenceCounter(41_001);
    expect(seq.last).toBe(41_000);
    expect(seq.next()).toBe(41_001);
    expect(seq.last).toBe(41_001);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("rejects %s as a start value", (bad) => {
    expect(() => new SequenceCounter(bad)).toThrow(/firstSeq: expected a non-negative integer/);
  });
});

describe("Pipeline seq", () => {
  it("is monotonic and contiguous across batches, including observations the pipeline creates", () => {
    const p = new Pipeline({ machines: ["m"] });
    const seqs: number[] = [];
    const batches = [
      [
        rd("m", "availability", "AVAILABLE", 0),
        rd("m", "spindle.speed", 100, 0),
        rd("m", "execution", "ACTIVE", 0),
      ],
      [rd("m", "spindle.speed", 100, 10), rd("m", "spindle.speed", 200, 20)], // first one is a repeat
      [rd("m", "availability", "UNAVAILABLE", 30)], // + null observations for spindle.speed and execution
      [rd("other", "feed.rate", 5, 40)],
    ];
    for (const batch of batches) for (const o of p.process(batch).observations) seqs.push(o.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(p.lastSeq).toBe(8);
  });

  it("starts at options.firstSeq", () => {
    const p = new Pipeline({ machines: ["m"], firstSeq: 501 });
    const out = p.process([rd("m", "spindle.speed", 1), rd("m", "spindle.speed", 2, 1)]);
    expect(out.observations.map((o) => o.seq)).toEqual([501, 502]);
  });

  it("spends no seq on dropped readings", () => {
    const p = new Pipeline({ machines: ["m"], deadband: { "spindle.speed": 10 } });
    p.process([rd("m", "spindle.speed", 100, 0)]);
    p.process([rd("m", "spindle.speed", 100, 1), rd("m", "spindle.speed", 105, 2)]); // repeat, within band
    expect(p.process([rd("m", "spindle.speed", 200, 3)]).observations[0]?.seq).toBe(2);
  });
});
