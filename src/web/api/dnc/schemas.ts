import { z } from "zod";
import { parseProgramName } from "../../../dnc/library/folders.ts";

// The bodies and queries of the DNC routes. The program's size is checked
// apart (limits.ts), so its 413 can name the limit.

const machine = z
  .string()
  .min(1, "must not be empty")
  .max(64, "at most 64 characters")
  .describe("machine id");

/** The library's file-name rule (letters, digits, '.', '-', '_', space; no paths). */
const fileName = z
  .string()
  .min(1, "must not be empty")
  .refine(
    (name) => {
      try {
        parseProgramName(name);
        return true;
      } catch {
        return false;
      }
    },
    {
      message:
        "use letters A–Z, digits, '.', '-', '_' and spaces (up to 100), starting with a letter or digit, e.g. O1234.nc",
    },
  );

const program = z.string({ error: "expected the program as text" });

export const VALIDATE_BODY = z
  .object({ machine, fileName, program, mode: z.enum(["send", "drip"]).optional() })
  .strict();

export const TRANSFER_BODY = z
  .object({ machine, fileName, program, mode: z.enum(["send", "drip"]).default("send") })
  .strict();

export type TransferBody = z.infer<typeof TRANSFER_BODY>;

/** `GET /api/dnc/transfers?mine=1&machine=…&limit=…` */
export const HISTORY_QUERY = z
  .object({
    mine: z.enum(["0", "1", "true", "false"]).optional(),
    machine: machine.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

export const TRANSFER_PARAMS = z.object({ id: z.string().min(1).max(64) }).strict();
