import type { ProgramToSend, TransferContext } from "../../../src/dnc/engine/dnc-machine.ts";
import { Transfer, type TransferOutcome } from "../../../src/dnc/engine/transfer.ts";
import { DncError } from "../../../src/dnc/errors.ts";
import type { ProfileId } from "../../../src/dnc/profiles/index.ts";
import { resolveProfile } from "../../../src/dnc/profiles/index.ts";
import { contentHash } from "../../../src/dnc/program/text.ts";
import type { DncLine } from "../../../src/web/api/dnc/ports.ts";

type Started = {
  direction: "send" | "drip";
  program: ProgramToSend;
  ctx: TransferContext;
  transfer: Transfer;
};

/**
 * A DNC line for route tests without a port: it records what it was asked
 * to send and runs each transfer until the test finishes it (`finish()`),
 * reports progress (`progress()`), or it is cancelled. Busy while one runs,
 * like DncMachine. (The real line, over a simulated control, is in
 * upload-e2e.test.ts.)
 */
export class FakeLine implements DncLine {
  readonly machine: string;
  readonly profile;
  readonly started: Started[] = [];
  #finish: ((result: "ok" | Error) => void) | undefined;
  /** finish() before the transfer began running (it starts on the next tick). */
  #early: "ok" | Error | undefined;
  #running: Transfer | undefined;

  constructor(machine: string, profile: ProfileId = "fanuc") {
    this.machine = machine;
    this.profile = resolveProfile(profile);
  }

  get busy(): boolean {
    return this.#running !== undefined;
  }

  send(program: ProgramToSend, ctx: TransferContext = {}): Transfer {
    return this.#start("send", program, ctx);
  }

  drip(program: ProgramToSend, ctx: TransferContext = {}): Transfer {
    return this.#start("drip", program, ctx);
  }

  progress(bytesDone: number, linesDone: number, pausedByXoff = false): void {
    this.#running?.progress({
      direction: "send",
      bytesDone,
      linesDone,
      rate: 870,
      pausedByXoff,
      xoffCount: pausedByXoff ? 1 : 0,
      elapsedMs: 100,
    });
  }

  finish(result: "ok" | Error = "ok"): void {
    if (this.#finish) this.#finish(result);
    else this.#early = result;
  }

  #start(direction: "send" | "drip", program: ProgramToSend, ctx: TransferContext): Transfer {
    const text = String(program.text);
    const transfer = new Transfer(direction, async (signal): Promise<TransferOutcome> => {
      const result = await new Promise<"ok" | Error>((resolve) => {
        if (this.#early !== undefined) resolve(this.#early);
        this.#early = undefined;
        this.#finish = resolve;
        signal.addEventListener("abort", () => resolve(new DncError("cancelled", "cancelled by the user")));
      });
      this.#running = undefined;
      this.#finish = undefined;
      const error = result === "ok" ? undefined : (result as DncError);
      return {
        result: error === undefined ? "ok" : error.code === "cancelled" ? "cancelled" : "failed",
        error,
        direction,
        file: program.file,
        checksum: contentHash(text),
        bytes: text.length,
        durationMs: 1,
      };
    });
    this.#running = transfer;
    this.started.push({ direction, program, ctx, transfer });
    return transfer;
  }
}
