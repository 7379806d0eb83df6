import { describe, expect, it } from "vitest";
import { IntakeGate } from "../../src/gateway/intake.ts";

function source() {
  const listeners = new Set<(paused: boolean) => void>();
  return {
    onBackpressure(l: (paused: boolean) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(paused: boolean) {
      for (const l of listeners) l(paused);
    },
    listeners,
  };
}

describe("IntakeGate", () => {
  it("is paused while any outbox asks for it and reports only transitions", () => {
    const a = source();
    const b = source();
    const gate = new IntakeGate([a, b]);
    const seen: boolean[] = [];
    gate.onChange((p) => seen.push(p));
    expect(gate.paused).toBe(false);
    a.emit(true);
    b.emit(true);
    a.emit(false);
    expect(gate.paused).toBe(true);
    b.emit(false);
    expect(gate.paused).toBe(false);
    expect(seen).toEqual([true, false]);
  });

  it("close() unsubscribes from every source", () => {
    const a = source();
    const gate = new IntakeGate([a]);
    gate.close();
    expect(a.listeners.size).toBe(0);
  });
});
