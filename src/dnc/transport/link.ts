import { DncError } from "../errors.ts";

const closedWhileWriting = () => new DncError("cable-pulled", "the line was closed while writing");

/**
 * A byte pipe to one machine: a serial port, a pseudo-terminal or a TCP
 * connection to a serial device server. It knows nothing of NC programs or
 * flow control; DncPort (port.ts) adds character framing and the engine adds
 * the rest.
 */
export interface ByteLink {
  /** "serial /dev/ttyUSB0", "pty /tmp/x (/dev/pts/3)", "tcp nport-1:4001" — for messages and logs. */
  readonly description: string;
  /**
   * serial: a UART frames characters; pty: nobody does, so framing is emulated;
   * tcp: the device server frames characters.
   */
  readonly kind: "serial" | "pty" | "tcp";
  /** Resolves when the bytes are handed to the operating system. */
  write(bytes: Buffer): Promise<void>;
  onData(listener: (bytes: Buffer) => void): () => void;
  /**
   * Called once when the link closes. `error` is set when it closed by itself
   * (cable pulled, device server gone), undefined after close().
   */
  onClose(listener: (error: DncError | undefined) => void): () => void;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

/** Listener and pending-write bookkeeping shared by the link implementations. */
export class LinkListeners {
  private readonly data = new Set<(bytes: Buffer) => void>();
  private readonly close = new Set<(error: DncError | undefined) => void>();
  private readonly pendingWrites = new Set<(error: DncError) => void>();
  private closed = false;

  /**
   * Track a write until it settles. A write to a device that vanished may never
   * call back (serialport waits for "writable" on a dead fd): when the link
   * closes, every pending write is rejected so nobody waits for ever.
   */
  trackWrite(
    start: (resolve: () => void, reject: (error: DncError) => void) => void,
    closedError: () => DncError,
  ): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise<void>((resolve, reject) => {
      const fail = (error: DncError) => {
        this.pendingWrites.delete(fail);
        reject(error);
      };
      this.pendingWrites.add(fail);
      start(() => {
        this.pendingWrites.delete(fail);
        resolve();
      }, fail);
    });
  }

  /** Write through a `write(bytes, callback)` API; a failed write or a closed link is "cable-pulled", naming the link. */
  write(
    description: string,
    bytes: Buffer,
    write: (bytes: Buffer, callback: (err?: Error | null) => void) => void,
  ): Promise<void> {
    return this.trackWrite(
      (resolve, reject) =>
        write(bytes, (err) =>
          err
            ? reject(
                new DncError("cable-pulled", `${description}: write failed: ${err.message}`, { cause: err }),
              )
            : resolve(),
        ),
      () => new DncError("cable-pulled", `${description} is closed`),
    );
  }

  onData(listener: (bytes: Buffer) => void): () => void {
    this.data.add(listener);
    return () => this.data.delete(listener);
  }

  onClose(listener: (error: DncError | undefined) => void): () => void {
    this.close.add(listener);
    return () => this.close.delete(listener);
  }

  emitData(bytes: Buffer): void {
    for (const l of [...this.data]) l(bytes);
  }

  emitClose(error: DncError | undefined): void {
    if (this.closed) return;
    this.closed = true;
    for (const fail of [...this.pendingWrites]) fail(error ?? closedWhileWriting());
    for (const l of [...this.close]) l(error);
    this.data.clear();
    this.close.clear();
  }
}
