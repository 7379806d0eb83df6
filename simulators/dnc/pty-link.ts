import { constants, openSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { ReadStream, WriteStream } from "node:tty";
import { DncError } from "../../src/dnc/errors.ts";
import { type ByteLink, LinkListeners } from "../../src/dnc/transport/link.ts";

/**
 * The simulator's end of a pty, read and written through libuv's tty handles
 * on the event loop. serialport reads and writes through the libuv thread
 * pool, which adds milliseconds of jitter on a busy machine; the simulated
 * control must see characters when they arrive, or its line timing (and the
 * count of characters after its XOFF) would be charged with its own latency.
 */
export async function openPtyLink(path: string): Promise<ByteLink> {
  const real = await realpath(path);
  const fd = openSync(real, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  const input = new ReadStream(fd);
  const output = new WriteStream(fd);
  const listeners = new LinkListeners();
  const description = `pty ${path}`;
  let closing = false;
  let open = true;
  const lost = (err?: Error) => {
    if (!open) return;
    open = false;
    input.destroy();
    output.destroy();
    listeners.emitClose(
      closing
        ? undefined
        : new DncError("cable-pulled", `${description} closed${err ? ` (${err.message})` : ""}`),
    );
  };
  input.on("data", (bytes: Buffer) => listeners.emitData(bytes));
  input.on("error", lost);
  input.on("close", () => lost());
  output.on("error", lost);
  return {
    description,
    kind: "pty",
    get isOpen() {
      return open && !closing;
    },
    write(bytes) {
      return listeners.trackWrite(
        (resolve, reject) =>
          output.write(bytes, (err) => (err ? reject(new DncError("cable-pulled", err.message)) : resolve())),
        () => new DncError("cable-pulled", `${description} is closed`),
      );
    },
    onData: (l) => listeners.onData(l),
    onClose: (l) => listeners.onClose(l),
    async close() {
      closing = true;
      lost();
    },
  };
}
