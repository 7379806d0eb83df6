import type { DncProfile } from "../profiles/schema.ts";
import { splitProgramLines } from "./text.ts";

/** How a program names itself: an O-number, a Sinumerik or a Heidenhain program name. */
export type ProgramIdentity = { number?: string; name?: string };

const O_NUMBER = /^([O:])(\d+)/;
const SINUMERIK = /^%_N_([A-Za-z0-9_]+?)_(MPF|SPF)\s*$/;
const HEIDENHAIN_BEGIN = /^\s*\d+\s+BEGIN\s+PGM\s+(\S+)\s+(MM|INCH)\s*$/i;

export function programIdentity(text: string, profile: Pick<DncProfile, "header">): ProgramIdentity {
  const lines = splitProgramLines(text)
    .map((l) => l.replace(/\0/g, "").trim())
    .filter((l) => l !== "" && l !== "%");
  const first = lines[0] ?? "";
  switch (profile.header) {
    case "sinumerik": {
      const m = SINUMERIK.exec(first);
      return m ? { name: `${m[1]}_${m[2]}` } : {};
    }
    case "heidenhain": {
      const m = HEIDENHAIN_BEGIN.exec(first);
      return m ? { name: m[1] } : {};
    }
    default: {
      const m = O_NUMBER.exec(first);
      // ':' is ISO's alternative spelling of 'O'.
      return m ? { number: `O${m[2]}` } : {};
    }
  }
}

/** A file name for a received program: its O-number or name, else a time stamp. */
export function fileNameFor(
  identity: ProgramIdentity,
  profile: Pick<DncProfile, "header">,
  now: Date,
): string {
  const stem = identity.number ?? identity.name;
  if (stem === undefined) return `received-${now.toISOString().replace(/[:.]/g, "-")}.nc`;
  if (profile.header === "heidenhain") return `${stem}.H`;
  if (profile.header === "sinumerik") return stem.replace(/_(MPF|SPF)$/, ".$1");
  return `${stem}.nc`;
}
