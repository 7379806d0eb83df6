import type { DncProfileInput } from "./schema.ts";

// Heidenhain TNC, plain ("blockwise", EXT) transfer of conversational .H and
// ISO .I programs. Programs are bracketed by `0 BEGIN PGM NAME MM` and
// `n END PGM NAME MM`. The standard data transfer protocol (FE mode, blocks
// framed with control characters and a block check character) is not supported.
export const heidenhain: DncProfileInput = {
  id: "heidenhain",
  name: "Heidenhain TNC (plain ASCII)",
  notes:
    "Set the interface to EXT (plain transfer), 9600 7E1, XON/XOFF. Programs start with " +
    "'0 BEGIN PGM NAME MM' and end with 'n END PGM NAME MM'. The FE block protocol is not supported.",
  line: { baud: 9600, dataBits: 7, parity: "even", stopBits: 1 },
  flowControl: "xonxoff",
  leaderNuls: 0,
  trailerNuls: 0,
  eob: "CRLF",
  percentFramed: false,
  punchControlCodes: false,
  waitForXonToStart: false,
  header: "heidenhain",
  programNumber: null,
  comments: { open: null, close: null, line: ";", strip: false },
  charset: "A-Za-z0-9 +\\-./%#*,=\\[\\]&$:?@_'\"<>!()~",
  commentCharset: "\\x20-\\x7E",
  maxLineLength: 254,
  memoryBytes: 2_000_000,
  receive: { endBytes: [0x04, 0x03], idleTimeoutMs: 3000, startTimeoutMs: 60_000 },
  remoteRequest: {
    pattern: "^\\d+\\s*;\\s*(?<verb>LOAD|DRIP)\\s+(?<name>[A-Za-z0-9_.\\-]+)\\s*$",
    template: ["0 BEGIN PGM REQUEST MM", "1 ;{verb} {name}", "2 END PGM REQUEST MM"],
  },
};
