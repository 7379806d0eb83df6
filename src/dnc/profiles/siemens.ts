import type { DncProfileInput } from "./schema.ts";

// Sinumerik 810D/840D "V24" interface. Archive format: a program starts with
// `%_N_<NAME>_MPF` (main program) or `_SPF` (subprogram), optionally followed by
// `;$PATH=/_N_MPF_DIR`; comments run from ';' to the end of the line.
export const siemens: DncProfileInput = {
  id: "siemens",
  name: "Siemens Sinumerik (V24)",
  notes:
    "Typical: 9600 8N1 with RTS/CTS, punched tape format off, header %_N_NAME_MPF / _SPF. " +
    "End of transmission: EOT (0x04) or SUB (0x1A) as set in the V24 dialog.",
  line: { baud: 9600, dataBits: 8, parity: "none", stopBits: 1 },
  flowControl: "rtscts",
  leaderNuls: 0,
  trailerNuls: 0,
  eob: "LF",
  percentFramed: false,
  punchControlCodes: false,
  waitForXonToStart: false,
  header: "sinumerik",
  programNumber: null,
  comments: { open: null, close: null, line: ";", strip: false },
  charset: "A-Za-z0-9 +\\-./%#*,=\\[\\]&$:?@_'\"<>!()",
  commentCharset: "\\x20-\\x7E",
  maxLineLength: 512,
  memoryBytes: 3_000_000,
  receive: { endBytes: [0x04, 0x1a], idleTimeoutMs: 3000, startTimeoutMs: 60_000 },
  remoteRequest: {
    pattern: "^;\\s*(?<verb>LOAD|DRIP)\\s+(?<name>[A-Za-z0-9_.\\-]+)\\s*$",
    template: ["%_N_REQUEST_MPF", ";{verb} {name}", "M30"],
  },
};
