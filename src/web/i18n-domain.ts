import type { MACHINE_KINDS } from "../config/schema.ts";
import type { CycleOutcome, MACHINE_STATES, MachineEventType, ProgramTransferEvent } from "../core/events.ts";

// Names of the things the server itself lists: machine kinds (the config
// schema's MACHINE_KINDS), machine states (core MACHINE_STATES), event
// types (core MachineEvent), cycle outcomes and program transfers' direction
// and result (core events). Each table is a Record over that list, so a new
// kind, state or event type fails to compile until it has a name in both
// languages, and the page can never show a raw id.

type Names = { nb: string; en: string };
type MachineKind = (typeof MACHINE_KINDS)[number];

const KIND_NAMES: Record<MachineKind, Names> = {
  lathe: { nb: "Dreiebenk", en: "Lathe" },
  mill: { nb: "Fres", en: "Mill" },
  "turn-mill": { nb: "Dreie-fresesenter", en: "Turn-mill centre" },
  router: { nb: "CNC-fres (router)", en: "Router" },
  grinder: { nb: "Slipemaskin", en: "Grinder" },
  edm: { nb: "Gnistmaskin", en: "EDM" },
  other: { nb: "Annen maskin", en: "Other machine" },
};

/** "unknown": a machine the page has no snapshot for yet. */
const STATE_NAMES: Record<(typeof MACHINE_STATES)[number] | "unknown", Names> = {
  offline: { nb: "Frakoblet", en: "Offline" },
  idle: { nb: "Ledig", en: "Idle" },
  running: { nb: "Kjører", en: "Running" },
  feed_hold: { nb: "Matestopp", en: "Feed hold" },
  stopped: { nb: "Stoppet", en: "Stopped" },
  alarm: { nb: "Alarm", en: "Alarm" },
  setup: { nb: "Oppsett", en: "Setup" },
  unknown: { nb: "Ingen data", en: "No data" },
};

const EVENT_NAMES: Record<MachineEventType, Names> = {
  "cycle.start": { nb: "Syklus startet", en: "Cycle started" },
  "cycle.end": { nb: "Syklus ferdig", en: "Cycle ended" },
  "alarm.raise": { nb: "Alarm utløst", en: "Alarm raised" },
  "alarm.clear": { nb: "Alarm opphørt", en: "Alarm cleared" },
  "state.change": { nb: "Tilstand endret", en: "State changed" },
  "session.start": { nb: "Elev sjekket inn", en: "Trainee checked in" },
  "session.end": { nb: "Elev sjekket ut", en: "Trainee checked out" },
  "program.transfer": { nb: "Programoverføring", en: "Program transfer" },
};

const OUTCOME_NAMES: Record<CycleOutcome, Names> = {
  completed: { nb: "Fullført", en: "Completed" },
  aborted: { nb: "Avbrutt", en: "Aborted" },
  interrupted: { nb: "Stanset", en: "Interrupted" },
};

const DIRECTION_NAMES: Record<ProgramTransferEvent["direction"], Names> = {
  send: { nb: "Sendt til maskinen", en: "Sent to the machine" },
  receive: { nb: "Hentet fra maskinen", en: "Received from the machine" },
  drip: { nb: "Dryppmating", en: "Drip-feed" },
};

const RESULT_NAMES: Record<ProgramTransferEvent["result"], Names> = {
  ok: { nb: "OK", en: "OK" },
  failed: { nb: "Feilet", en: "Failed" },
  cancelled: { nb: "Avbrutt", en: "Cancelled" },
};

type Prefixed<P extends string, T extends Record<string, Names>> = `${P}.${Extract<keyof T, string>}`;
export type DomainKey =
  | Prefixed<"kind", typeof KIND_NAMES>
  | Prefixed<"state", typeof STATE_NAMES>
  | Prefixed<"event", typeof EVENT_NAMES>
  | Prefixed<"outcome", typeof OUTCOME_NAMES>
  | Prefixed<"direction", typeof DIRECTION_NAMES>
  | Prefixed<"result", typeof RESULT_NAMES>;

function entries(language: keyof Names): Record<DomainKey, string> {
  const out: Record<string, string> = {};
  const tables = {
    kind: KIND_NAMES,
    state: STATE_NAMES,
    event: EVENT_NAMES,
    outcome: OUTCOME_NAMES,
    direction: DIRECTION_NAMES,
    result: RESULT_NAMES,
  };
  for (const [prefix, table] of Object.entries(tables)) {
    for (const [id, names] of Object.entries(table)) out[`${prefix}.${id}`] = names[language];
  }
  return out as Record<DomainKey, string>;
}

export const DOMAIN_NB = entries("nb");
export const DOMAIN_EN = entries("en");
