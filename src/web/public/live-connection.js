// The page's connection to /events. EventSource reconnects by itself after a
// dropped stream (the server sets `retry`), but gives up for good when a
// reconnect is answered with an error status (gateway restarting behind a
// proxy, for instance); then we open a new one with a growing delay, so a
// wall screen left alone recovers whenever the gateway comes back.

const MAX_RETRY_MS = 15_000;

// The stream's messages are the server's own types (src/web/README.md "The live stream").
/** @import { MachineEvent, MachineSnapshot } from "../../core/events.ts" */
/** @typedef {MachineSnapshot["signals"]} SignalValues */
/** @typedef {{ id: string, name: string, kind: string, snapshot: MachineSnapshot | null }} FleetEntry */
/** @typedef {{ serverTime: number, machines: FleetEntry[] }} FleetMessage `event: snapshot`, and GET /api/machines */
/** @typedef {{ machine: string, signals: SignalValues }} SignalsMessage `event: signals` */
/** @typedef {"connecting" | "live" | "lost"} LiveStatus */
/**
 * @typedef {{
 *   snapshot(data: FleetMessage): void,
 *   state(snapshot: MachineSnapshot): void,
 *   event(event: MachineEvent): void,
 *   signals(update: SignalsMessage): void,
 *   status(status: LiveStatus): void,
 * }} LiveHandlers
 */

/**
 * @param {string} url
 * @param {LiveHandlers} handlers
 * @returns {{ close(): void }}
 */
export function connectLive(url, handlers) {
  /** @type {EventSource | null} */
  let source = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retryTimer;
  let failures = 0;
  let closed = false;

  /**
   * A listener for one event name; the data is trusted to be the server's type (same origin).
   * @template T
   * @param {(data: T) => void} listener
   * @returns {(message: MessageEvent<string>) => void}
   */
  const parse = (listener) => (message) => {
    try {
      listener(/** @type {T} */ (JSON.parse(message.data)));
    } catch (err) {
      console.error("maskinport: bad live message", err);
    }
  };

  function open() {
    handlers.status("connecting");
    const opened = new EventSource(url);
    source = opened;
    opened.addEventListener(
      "snapshot",
      parse((/** @type {FleetMessage} */ data) => {
        failures = 0;
        handlers.snapshot(data);
        handlers.status("live");
      }),
    );
    opened.addEventListener("state", parse(handlers.state));
    opened.addEventListener("event", parse(handlers.event));
    opened.addEventListener("signals", parse(handlers.signals));
    opened.addEventListener("error", () => {
      if (closed) return;
      handlers.status("lost");
      if (opened.readyState === EventSource.CLOSED) {
        opened.close();
        failures += 1;
        const delay = Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.min(failures - 1, 4));
        clearTimeout(retryTimer);
        retryTimer = setTimeout(open, delay);
      }
    });
  }

  open();
  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      source?.close();
    },
  };
}
