// A course day on 100 machines as pipeline events: one trainee per machine
// from 07:00 to 15:00, five programs sent by DNC, 180 cycles (every 18th
// aborted), six alarms cleared within 2–7 minutes, the session's end. About
// 199 events per machine, 19,900 for the fleet: the issue's "≈ 20k cycles
// and events". Shared by recording.ts (and usable by any evidence bench).
import type { MachineEvent } from "../../src/core/events.ts";
import type { SessionAt } from "../../src/evidence/recorder/map-event.ts";

export const MACHINES = 100;
const DAY0 = Date.UTC(2027, 0, 11); // a Monday
const H = 3_600_000;
const M = 60_000;

export const machineId = (m: number) => `${m % 2 === 0 ? "lathe" : "mill"}-${m + 1}`;
export const machineKind = (machine: string) => (machine.startsWith("lathe") ? "lathe" : "mill");
export const traineeOf = (m: number) => `t-${m + 1}`;
const dayStart = (day: number) => DAY0 + day * 86_400_000;

/** Who is at which machine: machine m's trainee, 07:00–15:00 (UTC here; the zone does not matter). */
export function resolveSession(machine: string, ts: number): SessionAt | undefined {
  const m = Number(machine.slice(machine.indexOf("-") + 1)) - 1;
  const day = Math.floor((ts - DAY0) / 86_400_000);
  const t = ts - dayStart(day);
  if (t < 7 * H || t >= 15 * H) return undefined;
  return { sessionId: `s-${m + 1}-${day}`, traineeId: traineeOf(m) };
}

export function machineDay(m: number, day: number): MachineEvent[] {
  const machine = machineId(m);
  const t0 = dayStart(day) + 7 * H;
  const session = `p-${m + 1}`;
  const e: MachineEvent[] = [{ type: "session.start", machine, ts: t0, pseudonym: session, session }];
  for (let k = 0; k < 5; k++) {
    e.push({
      type: "program.transfer",
      machine,
      ts: t0 + 5 * M + k * 90 * M,
      direction: "send",
      file: `O${1000 + k}.NC`,
      checksum: "9f2c",
      bytes: 5120,
      durationMs: 40_000,
      result: "ok",
    });
  }
  for (let i = 0; i < 180; i++) {
    const startedAt = t0 + 10 * M + i * 155_000;
    const aborted = i % 18 === 17;
    e.push({
      type: "cycle.end",
      machine,
      ts: startedAt + 140_000,
      program: `O${1000 + Math.min(4, Math.floor(i / 36))}`,
      startedAt,
      durationMs: 140_000,
      partsMade: aborted ? 0 : 1,
      outcome: aborted ? "aborted" : "completed",
    });
  }
  for (let k = 0; k < 6; k++) {
    const raisedAt = t0 + H + k * 70 * M + m * 1000;
    const durationMs = (2 + ((k + m) % 6)) * M;
    const key = `a${k}`;
    e.push(
      {
        type: "alarm.raise",
        machine,
        ts: raisedAt,
        key,
        nativeCode: `EX${100 + k}`,
        severity: "fault",
        text: "DOOR OPEN",
      },
      {
        type: "alarm.clear",
        machine,
        ts: raisedAt + durationMs,
        key,
        nativeCode: `EX${100 + k}`,
        text: "DOOR OPEN",
        raisedAt,
        durationMs,
      },
    );
  }
  e.push({ type: "session.end", machine, ts: t0 + 8 * H, pseudonym: session, session, durationMs: 8 * H });
  return e;
}

/** The whole fleet's day in time order, as the pipeline would hand it over. */
export function fleetDay(day: number): MachineEvent[] {
  const all: MachineEvent[] = [];
  for (let m = 0; m < MACHINES; m++) all.push(...machineDay(m, day));
  return all.sort((a, b) => a.ts - b.ts);
}
