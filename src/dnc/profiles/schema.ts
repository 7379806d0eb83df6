import { z } from "zod";

// A controller profile is data: everything the engine, the validator and the
// simulator need to know about one family of controls. Profiles are checked by
// this schema when they are loaded and again after config overrides are
// applied, so a typo in a profile or an override fails at start-up.

export const PARITIES = ["none", "even", "odd"] as const;
export type Parity = (typeof PARITIES)[number];
export const FLOW_CONTROLS = ["xonxoff", "rtscts", "none"] as const;
export type FlowControl = (typeof FLOW_CONTROLS)[number];
export const END_OF_BLOCKS = ["LF", "CRLF", "CR"] as const;
export type EndOfBlock = (typeof END_OF_BLOCKS)[number];
/** How a program names itself on its first lines. */
export const HEADER_KINDS = ["o-number", "sinumerik", "heidenhain", "none"] as const;
export type HeaderKind = (typeof HEADER_KINDS)[number];

/** Standard rates a UART and a control's menu offer. */
export const BAUD_RATES = [110, 300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;

export const lineSettingsSchema = z
  .object({
    baud: z.int().refine((b) => (BAUD_RATES as readonly number[]).includes(b), {
      message: `expected one of ${BAUD_RATES.join(", ")}`,
    }),
    dataBits: z.union([z.literal(7), z.literal(8)], { error: "expected 7 or 8" }),
    parity: z.enum(PARITIES),
    stopBits: z.union([z.literal(1), z.literal(2)], { error: "expected 1 or 2" }),
  })
  .strict();
export type LineSettings = z.infer<typeof lineSettingsSchema>;

const regexSource = (what: string) =>
  z.string().refine(
    (s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    },
    { message: `expected a valid regular expression for ${what}` },
  );

export const profileSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    name: z.string().min(1),
    /** What a technician should know: which control menu/settings match. */
    notes: z.string().default(""),
    line: lineSettingsSchema,
    flowControl: z.enum(FLOW_CONTROLS),
    /** NUL characters before and after the program (tape leader/trailer; some readers need them). */
    leaderNuls: z.int().min(0).max(2000),
    trailerNuls: z.int().min(0).max(2000),
    /** End of block on the wire. Programs are converted to it on send and back to LF on receive. */
    eob: z.enum(END_OF_BLOCKS),
    /** The program starts and ends with a line holding only `%`. */
    percentFramed: z.boolean(),
    /** The control brackets its punch output with DC2 (punch on) and DC4 (punch off). */
    punchControlCodes: z.boolean(),
    /** Wait for the control's DC1 (reader on) before sending, as controls that are told to READ send it. */
    waitForXonToStart: z.boolean(),
    header: z.enum(HEADER_KINDS),
    /** For header o-number: the program number's form, a regex on the whole token, e.g. ^O\d{4}$. */
    programNumber: z
      .object({
        pattern: regexSource("programNumber.pattern"),
        /** Human form for messages, e.g. "O0001–O9999". */
        describe: z.string().min(1),
        required: z.boolean(),
      })
      .strict()
      .nullable(),
    comments: z
      .object({
        /** Bracket comments, e.g. ( … ) on Fanuc; null if the control has none. */
        open: z.string().length(1).nullable(),
        close: z.string().length(1).nullable(),
        /** Rest-of-line comment character, e.g. ';' on Sinumerik. */
        line: z.string().length(1).nullable(),
        /** Strip comments before sending (saves memory on small controls). */
        strip: z.boolean(),
      })
      .strict(),
    /** Characters allowed outside comments, as the body of a regex character class. */
    charset: regexSource("charset"),
    /** Characters allowed inside comments (often adds lower case), as a character-class body. */
    commentCharset: regexSource("commentCharset"),
    maxLineLength: z.int().min(8).max(100_000),
    /** Program memory of the control in bytes: larger programs must be drip-fed. */
    memoryBytes: z.int().min(256),
    receive: z
      .object({
        /** Bytes that end a punched program besides the closing `%` (EOT 0x04, SUB 0x1A …). */
        endBytes: z.array(z.int().min(0).max(127)),
        /** End of program when the line has been quiet this long after data started. */
        idleTimeoutMs: z.int().min(100).max(600_000),
        /** Give up when nothing at all arrives within this time ("no response"). */
        startTimeoutMs: z.int().min(100).max(3_600_000),
      })
      .strict(),
    remoteRequest: z
      .object({
        /**
         * A punched program that matches this regex is a request, not a program to save.
         * Named groups: `verb` (LOAD | DRIP) and `name` (program number or name).
         */
        pattern: regexSource("remoteRequest.pattern"),
        /** How a machine (and the simulator) words a request; {verb} and {name} are filled in. Lines joined by LF. */
        template: z.array(z.string()),
      })
      .strict(),
  })
  .strict();

export type DncProfile = z.infer<typeof profileSchema>;
export type DncProfileInput = z.input<typeof profileSchema>;

/** Bits on the wire per character: start + data + parity + stop. */
export function bitsPerChar(line: LineSettings): number {
  return 1 + line.dataBits + (line.parity === "none" ? 0 : 1) + line.stopBits;
}

/** Theoretical characters per second of a line. 9600 7E2 → 872.7, 115200 8N1 → 11,520. */
export function charsPerSecond(line: LineSettings): number {
  return line.baud / bitsPerChar(line);
}

export function describeLine(line: LineSettings): string {
  return `${line.baud} ${line.dataBits}${line.parity[0]!.toUpperCase()}${line.stopBits}`;
}
