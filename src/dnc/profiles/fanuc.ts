import type { DncProfileInput } from "./schema.ts";

// Fanuc 0/0i/16/18/21 over RS-232 (parameters 0101–0103, I/O channel 0/1).
// ISO code: 7 data bits with even parity is what "ISO" means on the wire.
export const fanuc: DncProfileInput = {
  id: "fanuc",
  name: "Fanuc (ISO, RS-232)",
  notes:
    "Typical: 4800 or 9600 baud, 7E2, XON/XOFF (DC1/DC3), % leader and trailer, LF end of block, " +
    "DC2/DC4 around punch output, O0001–O9999. Match parameters 0101 (stop bits, ISO), 0103 (baud).",
  line: { baud: 9600, dataBits: 7, parity: "even", stopBits: 2 },
  flowControl: "xonxoff",
  leaderNuls: 20,
  trailerNuls: 20,
  eob: "LF",
  percentFramed: true,
  punchControlCodes: true,
  waitForXonToStart: false,
  header: "o-number",
  // ':' is the ISO alternative to 'O' on Fanuc tapes.
  programNumber: { pattern: "^[O:]\\d{4}$", describe: "O0001–O9999", required: true },
  comments: { open: "(", close: ")", line: null, strip: false },
  charset: "A-Z0-9 +\\-./%#*,=\\[\\]&$:?@_'\"<>!",
  commentCharset: "\\x20-\\x27\\x2A-\\x7E",
  maxLineLength: 128,
  // 160 m of tape, a common option on the older lathes in a school.
  memoryBytes: 64_000,
  receive: { endBytes: [0x04], idleTimeoutMs: 3000, startTimeoutMs: 60_000 },
  remoteRequest: {
    pattern: "\\((?:DNC\\s+)?(?<verb>LOAD|DRIP)\\s+(?<name>[A-Z0-9_.\\-]+)\\)",
    template: ["%", "O9999({verb} {name})", "%"],
  },
};
