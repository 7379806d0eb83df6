import { type Logger, pino } from "pino";
import pretty from "pino-pretty";

/**
 * Structured JSON logs, one line per event (for journald / docker logs);
 * human-readable when a person watches a terminal. Secrets are redacted by
 * key name as a last line of defence: code should never log them at all.
 */
export function createLogger(level: string, stream: NodeJS.WritableStream = process.stdout): Logger {
  const options = {
    level,
    base: { app: "maskinport" },
    redact: {
      paths: ["password", "*.password", "token", "*.token", "username", "*.username"],
      censor: "***",
    },
  };
  if ((stream as NodeJS.WriteStream).isTTY) {
    return pino(
      options,
      pretty({ colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,app" }),
    );
  }
  return pino(options, stream);
}
