import type { FastifyRequest } from "fastify";
import { HttpError } from "../../responses.ts";

/** 4 MiB: far more than any hand-written program, small enough that a request cannot hog the gateway. */
export const DEFAULT_MAX_PROGRAM_BYTES = 4 * 1024 * 1024;

/**
 * The body limit for a route that carries a program. JSON escapes an end of
 * block as two bytes (`\n`), so a program of `max` bytes can take up to
 * about twice that on the wire; the program itself is measured after
 * parsing (`assertProgramSize`).
 */
export function bodyLimitFor(maxProgramBytes: number): number {
  return maxProgramBytes * 2 + 64 * 1024;
}

function tooLarge(maxProgramBytes: number, what: string): HttpError {
  return new HttpError(
    413,
    "program_too_large",
    `${what} is larger than this gateway accepts (${formatBytes(maxProgramBytes)}); ` +
      "drip-feed larger programs from the CLI (maskinport dnc drip) or raise web.maxProgramBytes in the config",
    { maxProgramBytes },
  );
}

/**
 * A preParsing hook: refuse an announced body over the limit before reading
 * it, with our own 413 (fastify's would only say "too large"). A body without
 * Content-Length (chunked) still meets fastify's limit while streaming.
 */
export function refuseLargeBodies(maxProgramBytes: number) {
  const limit = bodyLimitFor(maxProgramBytes);
  return async (request: FastifyRequest): Promise<void> => {
    const length = Number(request.headers["content-length"] ?? 0);
    if (length > limit) throw tooLarge(maxProgramBytes, "the request");
  };
}

/** Programs are 8-bit text (one character, one byte on the wire). */
export function assertProgramSize(program: string, maxProgramBytes: number): void {
  if (program.length > maxProgramBytes) throw tooLarge(maxProgramBytes, "the program");
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
