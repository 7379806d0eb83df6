import type { DncProfileInput } from "./schema.ts";

// A permissive starting point for a control without its own profile: change
// the line settings and rules in the machine's `dnc` config section.
export const generic: DncProfileInput = {
  id: "generic",
  name: "Generic ASCII (RS-232)",
  notes: "9600 8N1 XON/XOFF, LF, % optional. Override what the control needs in the machine's dnc section.",
  line: { baud: 9600, dataBits: 8, parity: "none", stopBits: 1 },
  flowControl: "xonxoff",
  leaderNuls: 0,
  trailerNuls: 0,
  eob: "LF",
  percentFramed: false,
  punchControlCodes: false,
  waitForXonToStart: false,
  header: "none",
  programNumber: { pattern: "^O\\d{1,8}$", describe: "O followed by 1–8 digits", required: false },
  comments: { open: "(", close: ")", line: ";", strip: false },
  charset: "\\x20-\\x7E",
  commentCharset: "\\x20-\\x7E",
  maxLineLength: 1024,
  memoryBytes: 100_000_000,
  receive: { endBytes: [0x04], idleTimeoutMs: 3000, startTimeoutMs: 60_000 },
  remoteRequest: {
    pattern: "\\((?:DNC\\s+)?(?<verb>LOAD|DRIP)\\s+(?<name>[A-Za-z0-9_.\\-]+)\\)",
    template: ["%", "O9999({verb} {name})", "%"],
  },
};
