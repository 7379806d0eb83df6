import { hash } from "node:crypto";
import type { Catalogue } from "../catalogue/load.ts";
import type { EvidenceRecord } from "../ledger/record.ts";
import { payloadOf } from "../ledger/record.ts";
import { programKey } from "../recorder/program-key.ts";
import type { AccountAgent, Activity, Statement } from "./statement.ts";
import { isoDuration, uuidFromHash } from "./uuid.ts";
import { ACTIVITY_TYPES, EXTENSIONS, VERBS } from "./vocabulary.ts";

export type XapiContext = {
  /** The account homePage of every actor, and the base of Maskinport's activity ids. */
  homePage: string;
  catalogue: Catalogue;
  /**
   * The pseudonym an LRS knows a subject by. Defaults to the ledger's own
   * subject; undefined means "do not export" (an erased person).
   */
  actorName?: (subject: string) => string | undefined;
};

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/**
 * The xAPI statement for one ledger record, or undefined for records that are
 * not learning experiences (notes, erasures, F proposals) and for erased
 * subjects. Deterministic: the id comes from the record's hash.
 */
export function statementFromRecord(r: EvidenceRecord, ctx: XapiContext): Statement | undefined {
  if (r.subject === null) return undefined;
  const name = ctx.actorName ? ctx.actorName(r.subject) : r.subject;
  if (name === undefined) return undefined;
  const base = ctx.homePage.endsWith("/") ? ctx.homePage : `${ctx.homePage}/`;
  const agent = (n: string): AccountAgent => ({
    objectType: "Agent",
    account: { homePage: ctx.homePage, name: n },
  });
  const p = payloadOf(r);
  const kind = str(p.machineKind);

  const machine = (): Activity => ({
    objectType: "Activity",
    id: `${base}machines/${encodeURIComponent(r.machine ?? "unknown")}`,
    definition: { name: { und: r.machine ?? "unknown" }, type: ACTIVITY_TYPES.machine },
  });
  const program = (raw: string): Activity => ({
    objectType: "Activity",
    id: `${base}programs/${encodeURIComponent(programKey(raw))}`,
    definition: { name: { und: raw }, type: ACTIVITY_TYPES.program },
  });
  const goal = (id: string): Activity => {
    const g = ctx.catalogue.goals.get(id);
    return {
      objectType: "Activity",
      id: g?.grep ?? `${base}goals/${encodeURIComponent(id)}`,
      definition: {
        type: ACTIVITY_TYPES.objective,
        ...(g ? { name: { "nb-NO": g.title.nb, "en-US": g.title.en } } : {}),
      },
    };
  };
  const context = (withMachine: boolean): NonNullable<Statement["context"]> => {
    const other = r.goals.map(goal);
    return {
      // One registration per check-in session: an LRS groups the session's statements by it.
      ...(r.session ? { registration: uuidFromHash(hash("sha256", r.session, "hex")) } : {}),
      platform: "Maskinport",
      contextActivities: {
        ...(withMachine && r.machine ? { parent: [machine()] } : {}),
        ...(other.length ? { other } : {}),
      },
      extensions: {
        [EXTENSIONS.ledgerSeq]: r.seq,
        [EXTENSIONS.ledgerHash]: r.hash,
        ...(kind ? { [EXTENSIONS.machineKind]: kind } : {}),
      },
    };
  };
  const common = { id: uuidFromHash(r.hash), actor: agent(name), timestamp: new Date(r.ts).toISOString() };
  const duration = num(p.durationMs) === undefined ? {} : { duration: isoDuration(num(p.durationMs)!) };

  switch (r.type) {
    case "cycle.completed":
    case "cycle.aborted": {
      const completed = r.type === "cycle.completed";
      const prog = str(p.program);
      return {
        ...common,
        verb: completed ? VERBS.completed : VERBS.terminated,
        object: prog ? program(prog) : machine(),
        result: {
          completion: completed,
          ...duration,
          extensions: {
            [EXTENSIONS.parts]: num(p.parts) ?? 0,
            [EXTENSIONS.programSentByTrainee]: p.programSentByTrainee === true,
          },
        },
        context: context(prog !== undefined),
      };
    }
    case "program.transfer":
      return {
        ...common,
        verb: VERBS.transferredProgram,
        object: program(str(p.file) ?? "unknown"),
        result: {
          success: p.result === "ok",
          ...duration,
          ...(str(p.direction) ? { response: str(p.direction) } : {}),
          extensions: { [EXTENSIONS.checksum]: str(p.checksum) ?? "", [EXTENSIONS.bytes]: num(p.bytes) ?? 0 },
        },
        context: context(true),
      };
    case "alarm.handled": {
      const code = str(p.code) ?? "unknown";
      return {
        ...common,
        verb: VERBS.handledAlarm,
        object: {
          objectType: "Activity",
          id: `${base}machines/${encodeURIComponent(r.machine ?? "unknown")}/alarms/${encodeURIComponent(code)}`,
          definition: { name: { und: str(p.text) ?? code }, type: ACTIVITY_TYPES.alarm },
        },
        result: {
          success: p.withinSession === true,
          ...duration,
          extensions: { [EXTENSIONS.alarmCode]: code, [EXTENSIONS.withinSession]: p.withinSession === true },
        },
        context: context(true),
      };
    }
    case "session.ended":
      return {
        ...common,
        verb: VERBS.interacted,
        object: machine(),
        result: { ...duration },
        context: context(false),
      };
    case "status.changed": {
      const to = str(p.to);
      const goalId = str(p.goal);
      if (!goalId || (to !== "P" && to !== "F" && to !== "K")) return undefined;
      const verb = to === "P" ? VERBS.attempted : to === "F" ? VERBS.completed : VERBS.passed;
      const instructorName =
        p.role === "instructor" && r.author
          ? ctx.actorName
            ? ctx.actorName(r.author)
            : r.author
          : undefined;
      const served = ctx.catalogue.goals.get(goalId)?.serves ?? [];
      return {
        ...common,
        verb,
        object: goal(goalId),
        ...(to === "P" ? {} : { result: { completion: true, ...(to === "K" ? { success: true } : {}) } }),
        context: {
          platform: "Maskinport",
          ...(instructorName ? { instructor: agent(instructorName) } : {}),
          ...(served.length ? { contextActivities: { grouping: served.map(goal) } } : {}),
          extensions: { [EXTENSIONS.ledgerSeq]: r.seq, [EXTENSIONS.ledgerHash]: r.hash },
        },
      };
    }
    case "note":
    case "subject.erased":
      return undefined;
  }
}
