// Turns a program definition into (a) Fanuc-style ISO NC text and (b) the
// blocks the machine model executes, in one pass, so that every block knows the
// line of the text it came from. Canned cycles (G81/G83/G84, G92) stay one line
// in the text and expand into several motions in the block.
import { MACHINE_PROFILES, type Position } from "./profiles.ts";
import type { Operation, Point, ProgramDefinition, Step } from "./programs.ts";

export type Motion = { to: Point; rapid: true } | { to: Point; rapid: false; feed: number; load: number };

export type Block =
  /** Tool change: the spindle stops first, then the change takes the profile's toolChangeMs. */
  | { type: "tool"; line: number; tool: number }
  | { type: "spindle"; line: number; rpm: number }
  | { type: "spindleStop"; line: number }
  | { type: "motion"; line: number; motions: Motion[] }
  /** M00: the program stops until the operator presses cycle start; the message is shown meanwhile. */
  | { type: "stop"; line: number; message: string }
  | { type: "end"; line: number };

export type CompiledProgram = {
  definition: ProgramDefinition;
  /** `%`-framed NC text, LF line ends. */
  ncText: string;
  blocks: Block[];
};

/** Fanuc number style: integers keep a trailing decimal point ("X126."), others up to 3 decimals. */
export function ncNumber(n: number): string {
  const rounded = Math.round(n * 1000) / 1000;
  return Number.isInteger(rounded) ? `${rounded}.` : String(rounded);
}

function words(p: Point): string {
  const parts: string[] = [];
  if (p.x !== undefined) parts.push(`X${ncNumber(p.x)}`);
  if (p.y !== undefined) parts.push(`Y${ncNumber(p.y)}`);
  if (p.z !== undefined) parts.push(`Z${ncNumber(p.z)}`);
  return parts.join(" ");
}

const pad2 = (n: number) => String(n).padStart(2, "0");

class ProgramWriter {
  readonly lines: string[] = [];
  readonly blocks: Block[] = [];
  /** Modal motion code and feed, so that the text is written the way a machinist writes it. */
  modal = "";
  feed: number | null = null;
  readonly pos: Partial<Position> = {};

  text(line: string): number {
    this.lines.push(line);
    return this.lines.length;
  }

  motion(line: string, motions: Motion[]): void {
    const n = this.text(line);
    this.blocks.push({ type: "motion", line: n, motions });
    for (const m of motions) Object.assign(this.pos, m.to);
  }

  /** The modal prefix to write before a motion: empty when the code is already active. */
  code(code: string): string {
    if (this.modal === code) return "";
    this.modal = code;
    return `${code} `;
  }

  /** Only the axes that actually move: a machinist does not repeat a coordinate the tool is already at. */
  moving(to: Point): Point {
    const out: Point = {};
    for (const axis of ["x", "y", "z"] as const) {
      const v = to[axis];
      if (v !== undefined && v !== this.pos[axis]) out[axis] = v;
    }
    return out;
  }

  feedWord(feed: number): string {
    if (this.feed === feed) return "";
    this.feed = feed;
    return ` F${ncNumber(feed)}`;
  }
}

export function compileProgram(program: ProgramDefinition): CompiledProgram {
  const lathe = program.kind === "lathe";
  const w = new ProgramWriter();
  w.text("%");
  w.text(`${program.name} (${program.title})`);
  w.text(`(${program.stock})`);
  w.text(`(MASKINPORT SIMULATOR SAMPLE - ${lathe ? "LATHE" : "MILL"})`);
  if (lathe) {
    w.text("G21 G40 G99");
    w.text("G50 S3000");
  } else {
    w.text("G21 G17 G40 G49 G80 G90 G94");
  }
  program.operations.forEach((op, i) => {
    writeOperation(w, op, (i + 1) * 10, lathe);
  });
  const home = MACHINE_PROFILES[program.kind].home;
  if (lathe) {
    w.motion("G28 U0. W0.", [{ to: { x: home.x, z: home.z }, rapid: true }]);
  } else {
    w.motion("G91 G28 Z0.", [{ to: { z: home.z }, rapid: true }]);
    w.text("G90");
  }
  const end = w.text("M30");
  w.blocks.push({ type: "end", line: end });
  w.text("%");
  return { definition: program, ncText: `${w.lines.join("\n")}\n`, blocks: w.blocks };
}

function writeOperation(w: ProgramWriter, op: Operation, n: number, lathe: boolean): void {
  w.text(`(T${pad2(op.tool)} ${op.toolName})`);
  const toolLine = w.text(lathe ? `N${n} T${pad2(op.tool)}${pad2(op.tool)}` : `N${n} T${op.tool} M06`);
  w.blocks.push({ type: "tool", line: toolLine, tool: op.tool });
  const spindleLine = w.text(lathe ? `G97 S${op.rpm} M03` : `S${op.rpm} M03`);
  w.blocks.push({ type: "spindle", line: spindleLine, rpm: op.rpm });
  w.modal = "G00";
  if (lathe) {
    w.motion(`G00 ${words(op.approach)} M08`, [{ to: op.approach, rapid: true }]);
  } else {
    const xy = { x: op.approach.x, y: op.approach.y };
    w.motion(`G54 G00 ${words(xy)}`, [{ to: xy, rapid: true }]);
    w.motion(`G43 H${op.tool} ${words({ z: op.approach.z })} M08`, [
      { to: { z: op.approach.z }, rapid: true },
    ]);
  }
  for (const step of op.steps) writeStep(w, step);
  w.motion(`${w.code("G00")}${words(op.retract)} M09`, [{ to: op.retract, rapid: true }]);
  const stop = w.text("M05");
  w.blocks.push({ type: "spindleStop", line: stop });
  if (op.stopAfter) {
    const line = w.text(`M00 (${op.stopAfter})`);
    w.blocks.push({ type: "stop", line, message: op.stopAfter });
  }
}

function writeStep(w: ProgramWriter, step: Step): void {
  switch (step.kind) {
    case "rapid": {
      const to = w.moving(step.to);
      if (Object.keys(to).length > 0) w.motion(`${w.code("G00")}${words(to)}`, [{ to, rapid: true }]);
      return;
    }
    case "cut": {
      const to = w.moving(step.to);
      if (Object.keys(to).length === 0) return;
      w.motion(`${w.code("G01")}${words(to)}${w.feedWord(step.feed)}`, [
        { to, rapid: false, feed: step.feed, load: step.load },
      ]);
      return;
    }
    case "drill":
      writeHoleCycle(w, step);
      return;
    case "thread":
      writeThreadCycle(w, step);
      return;
  }
}

function writeHoleCycle(w: ProgramWriter, step: Extract<Step, { kind: "drill" }>): void {
  const initialZ = w.pos.z ?? 25;
  const code = step.tap ? "G84" : step.peck ? "G83" : "G81";
  const q = step.peck ? ` Q${ncNumber(step.peck)}` : "";
  step.holes.forEach((hole, i) => {
    const motions: Motion[] = [
      { to: { x: hole.x, y: hole.y }, rapid: true },
      { to: { z: step.r }, rapid: true },
    ];
    if (step.tap) {
      motions.push(
        { to: { z: step.depth }, rapid: false, feed: step.feed, load: step.load },
        { to: { z: step.r }, rapid: false, feed: step.feed, load: step.load * 0.6 },
      );
    } else if (step.peck) {
      for (let z = step.r - step.peck; ; z -= step.peck) {
        const to = Math.max(z, step.depth);
        motions.push({ to: { z: to }, rapid: false, feed: step.feed, load: step.load });
        if (to <= step.depth) break;
        motions.push({ to: { z: step.r }, rapid: true }, { to: { z: to + 1 }, rapid: true });
      }
    } else {
      motions.push({ to: { z: step.depth }, rapid: false, feed: step.feed, load: step.load });
    }
    motions.push({ to: { z: initialZ }, rapid: true });
    const line =
      i === 0
        ? `G98 ${code} ${words(hole)} Z${ncNumber(step.depth)} R${ncNumber(step.r)}${q}${w.feedWord(step.feed)}`
        : words(hole);
    w.motion(line, motions);
  });
  w.text("G80");
  w.modal = "G80";
}

function writeThreadCycle(w: ProgramWriter, step: Extract<Step, { kind: "thread" }>): void {
  const start = { x: w.pos.x ?? 0, z: w.pos.z ?? 0 };
  step.diameters.forEach((d, i) => {
    const line =
      i === 0 ? `G92 X${ncNumber(d)} Z${ncNumber(step.z)}${w.feedWord(step.pitch)}` : `X${ncNumber(d)}`;
    w.motion(line, [
      { to: { x: d }, rapid: true },
      { to: { z: step.z }, rapid: false, feed: step.pitch, load: step.load },
      { to: { x: start.x }, rapid: true },
      { to: { z: start.z }, rapid: true },
    ]);
  });
  w.modal = "G92";
}
