import { constants } from "node:fs";
import { access, realpath } from "node:fs/promises";
import { SerialPort } from "serialport";
import { DncError } from "../errors.ts";
import type { FlowControl, LineSettings } from "../profiles/schema.ts";
import { type ByteLink, LinkListeners } from "./link.ts";

export type SerialLinkOptions = {
  path: string;
  line: LineSettings;
  flowControl: FlowControl;
};

/**
 * Open a local serial port (or a pty end) with serialport. XON/XOFF is never
 * left to the kernel (IXON swallows DC1/DC3 and many USB adapters ignore it):
 * the engine handles it in user space. RTS/CTS is the UART's job.
 */
export async function openSerialLink(opts: SerialLinkOptions): Promise<ByteLink> {
  const { path } = opts;
  let real: string;
  try {
    real = await realpath(path);
    await access(real, constants.R_OK | constants.W_OK);
  } catch (err) {
    throw serialOpenError(path, err);
  }
  // A pty applies no framing: open it 8N1 and let DncPort emulate the profile's framing.
  const isPty = real.startsWith("/dev/pts/") || real === "/dev/ptmx";
  const line = isPty
    ? { baud: opts.line.baud, dataBits: 8 as const, parity: "none" as const, stopBits: 1 as const }
    : opts.line;
  const port = new SerialPort({
    path,
    baudRate: line.baud,
    dataBits: line.dataBits,
    parity: line.parity,
    stopBits: line.stopBits,
    rtscts: opts.flowControl === "rtscts" && !isPty,
    xon: false,
    xoff: false,
    xany: false,
    hupcl: false,
    lock: true,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(serialOpenError(path, err)) : resolve()));
  });

  const listeners = new LinkListeners();
  const description = isPty ? `pty ${path}${real !== path ? ` (${real})` : ""}` : `serial ${path}`;
  let closing = false;
  port.on("data", (bytes: Buffer) => listeners.emitData(bytes));
  port.on("error", (err: Error & { disconnect?: boolean }) => {
    if (closing) return;
    // EIO/ENXIO on a read or write: the device went away (USB adapter pulled, pty closed).
    const gone = err.disconnect === true || /EIO|ENXIO|EBADF|i\/o error/i.test(err.message);
    listeners.emitClose(
      gone
        ? new DncError(
            "cable-pulled",
            `${description} disconnected (${err.message}): the adapter or cable was removed; the transfer is incomplete`,
            { cause: err },
          )
        : new DncError("port-error", `${description}: ${err.message}`, { cause: err }),
    );
  });
  port.on("close", (err?: Error & { disconnected?: boolean }) => {
    if (closing) return listeners.emitClose(undefined);
    listeners.emitClose(
      new DncError(
        "cable-pulled",
        `${description} disconnected${err?.disconnected ? "" : ` (${err?.message ?? "closed"})`}: ` +
          "the adapter or cable was removed; the transfer is incomplete",
        { cause: err },
      ),
    );
  });

  return {
    description,
    kind: isPty ? "pty" : "serial",
    get isOpen() {
      return port.isOpen && !closing;
    },
    write(bytes) {
      return listeners.write(description, bytes, (b, callback) => port.write(b, callback));
    },
    onData: (l) => listeners.onData(l),
    onClose: (l) => listeners.onClose(l),
    close() {
      if (closing) return Promise.resolve();
      closing = true;
      return new Promise((resolve) => {
        if (!port.isOpen) {
          listeners.emitClose(undefined);
          return resolve();
        }
        // A port that vanished may never call back: do not hang the caller on it.
        const timer = setTimeout(() => {
          listeners.emitClose(undefined);
          resolve();
        }, 1000);
        port.close(() => {
          clearTimeout(timer);
          listeners.emitClose(undefined);
          resolve();
        });
      });
    },
  };
}

/** Map what the OS said to something a technician can act on. */
export function serialOpenError(path: string, err: unknown): DncError {
  const e = err as NodeJS.ErrnoException;
  const text = `${e?.code ?? ""} ${e?.message ?? String(err)}`;
  if (/ENOENT|No such file/i.test(text)) {
    return new DncError(
      "port-missing",
      `serial port ${path} does not exist: check the USB adapter is plugged in and the path (ls /dev/serial/by-id/)`,
      { cause: err },
    );
  }
  if (/EACCES|EPERM|Permission denied/i.test(text)) {
    return new DncError(
      "permission-denied",
      `no permission to open ${path}: add the gateway's user to the 'dialout' group (sudo usermod -aG dialout USER) and log in again`,
      { cause: err },
    );
  }
  if (/Cannot lock port|Resource temporarily unavailable|EBUSY|busy/i.test(text)) {
    return new DncError(
      "port-busy",
      `serial port ${path} is in use by another program (another DNC transfer, a terminal, ModemManager): close it and retry`,
      { cause: err },
    );
  }
  return new DncError("port-error", `cannot open serial port ${path}: ${e?.message ?? String(err)}`, {
    cause: err,
  });
}
