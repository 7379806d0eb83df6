import type { DncProfileInput } from "./schema.ts";

// Haas NGC / classic control. Settings: 11 baud, 12 parity, 13 stop bits,
// 14 synchronisation (XON/XOFF, RTS/CTS, DC codes), 37 data bits.
export const haas: DncProfileInput = {
  id: "haas",
  name: "Haas (RS-232)",
  notes:
    "Match settings 11 (baud 9600), 12 (parity even), 13 (stop bits 1), 14 (XMODEM off, XON/XOFF), " +
    "37 (7 data bits). Programs framed by %, O00001–O99999.",
  line: { baud: 9600, dataBits: 7, parity: "even", stopBits: 1 },
  flowControl: "xonxoff",
  leaderNuls: 0,
  trailerNuls: 0,
  eob: "LF",
  percentFramed: true,
  punchControlCodes: false,
  waitForXonToStart: false,
  header: "o-number",
  programNumber: { pattern: "^O\\d{5}$", describe: "O00001–O99999", required: true },
  comments: { open: "(", close: ")", line: null, strip: false },
  charset: "A-Z0-9 +\\-./%#*,=\\[\\]&$:?@_'\"<>!",
  commentCharset: "\\x20-\\x27\\x2A-\\x7E",
  maxLineLength: 256,
  memoryBytes: 1_000_000,
  receive: { endBytes: [0x04], idleTimeoutMs: 3000, startTimeoutMs: 60_000 },
  remoteRequest: {
    pattern: "\\((?:DNC\\s+)?(?<verb>LOAD|DRIP)\\s+(?<name>[A-Z0-9_.\\-]+)\\)",
    template: ["%", "O09999({verb} {name})", "%"],
  },
};
