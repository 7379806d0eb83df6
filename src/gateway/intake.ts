import type { IntakeControl } from "../core/contracts.ts";

type Source = { onBackpressure(listener: (paused: boolean) => void): () => void };

/**
 * One intake switch for all adapters: paused while any outbox asks for it
 * (its `pause` policy when full), resumed when none does.
 */
export class IntakeGate implements IntakeControl {
  private readonly pausedBy = new Set<Source>();
  private readonly listeners = new Set<(paused: boolean) => void>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(sources: readonly Source[]) {
    for (const source of sources) {
      this.unsubscribe.push(
        source.onBackpressure((paused) => {
          const before = this.paused;
          if (paused) this.pausedBy.add(source);
          else this.pausedBy.delete(source);
          if (this.paused !== before) for (const l of [...this.listeners]) l(this.paused);
        }),
      );
    }
  }

  get paused(): boolean {
    return this.pausedBy.size > 0;
  }

  onChange(listener: (paused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.listeners.clear();
  }
}
