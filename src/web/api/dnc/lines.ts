import { HttpError } from "../../responses.ts";
import type { DncApiDeps, DncLineEntry } from "./ports.ts";

/** The machine's DNC line, or 404 naming the machines that have one. */
export function lineOf(deps: Pick<DncApiDeps, "lines">, machine: string): DncLineEntry {
  const entries = deps.lines();
  const entry = entries.find((e) => e.id === machine);
  if (entry !== undefined) return entry;
  const known = entries.map((e) => e.id).join(", ") || "none";
  throw new HttpError(
    404,
    "unknown_machine",
    `${JSON.stringify(machine.slice(0, 64))} is not a machine with a DNC line (machines with one: ${known}); GET /api/dnc/machines lists them`,
  );
}
