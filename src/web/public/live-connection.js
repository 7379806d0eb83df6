// The page's connection to /events. EventSource reconnects by itself after a
// dropped stream (the server sets `retry`), but gives up for good when a
// reconnect is answered with an error status (gateway restarting behind a
// proxy, for instance); then we open a new one with a growing delay, so a
// wall screen left alone recovers whenever the gateway comes back.

const MAX_RETRY_MS = 15_000;

/**
 * @param handlers { snapshot, state, event, signals, status } — status gets "connecting" | "live" | "lost"
 * @returns { close() }
 */
export function connectLive(url, handlers) {
  let source = null;
  let retryTimer = null;
  let failures = 0;
  let closed = false;

  const parse = (listener) => (message) => {
    try {
      listener(JSON.parse(message.data));
    } catch (err) {
      console.error("maskinport: bad live message", err);
    }
  };

  function open() {
    handlers.status("connecting");
    source = new EventSource(url);
    source.addEventListener(
      "snapshot",
      parse((data) => {
        failures = 0;
        handlers.snapshot(data);
        handlers.status("live");
      }),
    );
    source.addEventListener("state", parse(handlers.state));
    source.addEventListener("event", parse(handlers.event));
    source.addEventListener("signals", parse(handlers.signals));
    source.addEventListener("error", () => {
      if (closed) return;
      handlers.status("lost");
      if (source.readyState === EventSource.CLOSED) {
        source.close();
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
