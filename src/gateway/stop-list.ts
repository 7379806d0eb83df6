import type { Logger } from "pino";

/**
 * What has been started, to be closed in reverse order: a part closes only
 * after every part started after it (sinks after the adapters feeding them,
 * the broker after the MQTT sink). A failing close is logged; the rest still close.
 */
export class StopList {
  #entries: { name: string; close(): Promise<void> }[] = [];

  add(name: string, close: () => Promise<void>): void {
    this.#entries.push({ name, close });
  }

  async closeAll(log: Logger): Promise<void> {
    const entries = this.#entries.reverse();
    this.#entries = [];
    for (const entry of entries) {
      try {
        await entry.close();
      } catch (err) {
        log.warn({ err, part: entry.name }, "error while stopping");
      }
    }
  }
}
