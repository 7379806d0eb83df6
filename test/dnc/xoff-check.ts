// The XOFF bound (transport/flow-control.ts): after the machine's XOFF it receives at
// most aheadBytes + chunkBytes by the pacing rule, plus what the line carries while the
// XOFF travels to us and the OS hands it over (our "reaction time"). The reaction time
// belongs to the OS and the machine's load, not to the rule, and on a busy 2-core test
// machine it varies from 0.1 to tens of milliseconds. So the simulator logs when each
// XOFF went out, the gateway when it saw it, and every cycle is checked against
//   aheadBytes + chunkBytes + line rate × (seen − sent)
// plus SIM_READ_MS of line time for the emulation itself: the simulated control reads the
// pty/socket on the same event loop as the gateway, so it sees characters up to a loop
// turn after they were written, and that delay lands in its count too. And when this
// test process was not scheduled at all for a while (the full suite on a shared 2-core
// machine: we have seen 90 ms), the longest such stall near the cycle is allowed as well.
// A sender that ignored XOFF would overshoot by hundreds of characters, so the check keeps
// its teeth; the printed figures (max, mean, reaction times, stalls) show what happened.
const SIM_READ_MS = 3;

export type Stall = { at: number; ms: number };

/** Record gaps in the event loop longer than 5 ms (the process or the loop did not run). */
export function startStallMonitor(): { stalls: Stall[]; stop(): void } {
  const stalls: Stall[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > 5) stalls.push({ at: last, ms: now - last - 2 });
    last = now;
  }, 2);
  return { stalls, stop: () => clearInterval(timer) };
}

function stallNear(stalls: readonly Stall[], t: number): number {
  let worst = 0;
  for (const s of stalls) if (s.at + s.ms > t - 250 && s.at < t + 50) worst = Math.max(worst, s.ms);
  return worst;
}

export type Cycle = { sentAt: number; chars: number };

export function checkCycles(
  cycles: readonly Cycle[],
  seenAt: readonly number[],
  cps: number,
  pacingBound: number,
  stalls: readonly Stall[] = [],
) {
  const excess: string[] = [];
  const reactions: number[] = [];
  // Pair each XOFF with the first time the gateway saw one after it went out. XOFFs sent
  // after the gateway had finished writing (the machine still digesting the tail) have no
  // partner and are held to the plain bound.
  let j = 0;
  cycles.forEach((c, i) => {
    while (j < seenAt.length && seenAt[j]! < c.sentAt) j++;
    const next = cycles[i + 1]?.sentAt ?? Number.POSITIVE_INFINITY;
    const seen = j < seenAt.length && seenAt[j]! < next ? seenAt[j] : undefined;
    const reaction = seen === undefined ? 0 : seen - c.sentAt;
    reactions.push(reaction);
    const allowed =
      pacingBound + Math.ceil((cps * (reaction + SIM_READ_MS + stallNear(stalls, c.sentAt))) / 1000) + 1;
    if (c.chars > allowed)
      excess.push(`cycle ${i}: ${c.chars} > ${allowed} (reaction ${reaction.toFixed(2)} ms)`);
  });
  reactions.sort((a, b) => a - b);
  const pct = (p: number) => (reactions[Math.floor((reactions.length - 1) * p)] ?? 0).toFixed(2);
  const longest = stalls.reduce((m, st) => Math.max(m, st.ms), 0);
  return {
    excess,
    reaction: `reaction p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms; ${stalls.length} process stalls > 5 ms (longest ${longest.toFixed(0)} ms)`,
  };
}
