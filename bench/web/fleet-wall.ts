// The fleet wall under load, with the product run as users run it:
// `maskinport run --config FILE` on a generated config of 60 SHDR machines,
// fed by bench/web/shdr-feeder.ts (another process) at 10 signal changes per
// machine per second (600/s). Measures, and prints:
//
//   1. gateway CPU (its process, all threads, from /proc) with 0 and with 200
//      SSE clients on /events (25 loopback addresses × 8, the per-address limit);
//   2. Chromium (playwright-core, /usr/bin/chromium) on the wall in kiosk mode at
//      1920×1080: the page's main thread busy time per second (CDP Performance
//      metrics: TaskDuration, ScriptDuration, Layout, RecalcStyle);
//   3. how old each spindle-speed value is when the wall shows it (the feeder
//      sends its clock in the value; a MutationObserver on the cards notes the
//      next animation frame after the text changed).
//
//   node bench/web/fleet-wall.ts [--seconds 20] [--clients 200]
//
// Loopback only; stops the gateway, the feeder and Chromium however it ends.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { freePorts } from "../../test/support/ports.ts";
import { launchChromium } from "../../test/web/support/chromium.ts";
import { describeMachine, loadNow, machineContext } from "../support/machine.ts";
import { distribution } from "../support/stats.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MACHINES = 60;
const { values } = parseArgs({
  options: { seconds: { type: "string", default: "20" }, clients: { type: "string", default: "200" } },
});
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "mp-bench-web-"));
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
function cleanUp(): void {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
setTimeout(() => fail("still running after 5 min: aborted"), 5 * 60_000).unref();

function fail(message: string): never {
  console.error(`bench/web: ${message}`);
  process.exit(2);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds (user + system, all threads) a process has used so far. */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14, 15)
}

/** [pid, ppid] of every process, from /proc. */
function processTable(): [number, number][] {
  const table: [number, number][] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      table.push([Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])]);
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/**
 * CPU seconds of the page's main thread in the Chromium this process started:
 * the main thread of each `--type=renderer` process (Chromium leaves the main
 * thread's Linux name alone; inside it is "CrRendererMain"). CPU time, which a
 * busy neighbour does not inflate the way it stretches the wall-clock
 * TaskDuration of the DevTools metrics.
 */
function rendererMainCpuSeconds(): number {
  const table = processTable();
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of table) {
      if (ours.has(ppid) && !ours.has(pid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const pid of ours) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "latin1").includes("--type=renderer")) continue;
      const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "latin1");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Share of one core the process used over `seconds`. */
async function cpuShare(pid: number, seconds: number): Promise<number> {
  const cpu0 = processCpuSeconds(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  return (processCpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

// ---- the product on a generated config ------------------------------------------------------

const [webPort, mqttPort, ...shdrPorts] = await freePorts(MACHINES + 2);
const configFile = join(dir, "bench.yaml");
const machineLines = shdrPorts.map((port, i) => {
  const n = String(i + 1).padStart(2, "0");
  const kind = i % 2 === 0 ? "lathe" : "mill";
  return `  - { id: m${n}, name: "Machine ${n}", kind: ${kind}, monitor: { type: shdr, host: 127.0.0.1, port: ${port} } }`;
});
writeFileSync(
  configFile,
  [
    "# Generated by bench/web/fleet-wall.ts: 60 SHDR machines fed by bench/web/shdr-feeder.ts.",
    "site: bench",
    "gateway: { id: gw-bench, timeZone: Europe/Oslo }",
    `mqtt: { embedded: { port: ${mqttPort} } }`,
    `timeseries: { embedded: { path: ${join(dir, "timeseries.db")} } }`,
    `web: { port: ${webPort} }`,
    "machines:",
    ...machineLines,
    "",
  ].join("\n"),
);

const context = machineContext();
console.log(describeMachine(context));
console.log(
  `load: ${MACHINES} SHDR machines × 10 signal changes/s = ${MACHINES * 10}/s through \`maskinport run --config\` ` +
    "(embedded MQTT broker and time-series store); feeder in its own process",
);

const feeder = spawn(
  process.execPath,
  [join(ROOT, "bench/web/shdr-feeder.ts"), "--ports", shdrPorts.join(",")],
  {
    stdio: ["ignore", "ignore", "inherit"],
  },
);
children.push(feeder);
await sleep(500);
const gateway = spawn(process.execPath, [join(ROOT, "bin/maskinport.mjs"), "run", "--config", configFile], {
  cwd: dir,
  stdio: ["ignore", "ignore", "inherit"],
  env: { ...process.env, LOG_LEVEL: "warn" },
});
children.push(gateway);
gateway.once("exit", (code) => {
  if (!exiting) fail(`the gateway exited (${code}) during the run`);
});
let exiting = false;
const base = `http://127.0.0.1:${webPort}`;

type Fleet = { machines: { snapshot: { signals: Record<string, unknown> } | null }[] };
const readyBy = Date.now() + 60_000;
for (;;) {
  const fleet = (await getJson(`${base}/api/machines`).catch(() => null)) as Fleet | null;
  const live = fleet?.machines.filter((m) => m.snapshot?.signals["spindle.speed"] !== undefined).length ?? 0;
  if (live === MACHINES) break;
  if (Date.now() > readyBy) fail(`after 60 s only ${live} of ${MACHINES} machines have data`);
  await sleep(500);
}
await sleep(5000); // warm-up: JIT, store's first commits
const pid = gateway.pid ?? fail("no gateway pid");

// ---- 1. gateway CPU, 0 vs N SSE clients -------------------------------------------------------

const idleBefore = await cpuShare(pid, SECONDS);

type Stream = { messages: number; bytes: number; close(): void };
function openStream(localAddress: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const stream: Stream = { messages: 0, bytes: 0, close: () => req.destroy() };
    const req = request(
      `${base}/events`,
      { localAddress, headers: { Accept: "text/event-stream" } },
      (res) => {
        if (res.statusCode !== 200)
          return reject(new Error(`/events from ${localAddress}: ${res.statusCode}`));
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          stream.bytes += chunk.length;
          stream.messages += chunk.split("\n\n").length - 1;
        });
        res.once("data", () => resolve(stream));
        res.on("error", () => {});
      },
    );
    req.on("error", reject);
    req.end();
  });
}
const streams = await Promise.all(
  Array.from({ length: CLIENTS }, (_, i) => openStream(`127.0.0.${2 + Math.floor(i / 8)}`)),
);
await sleep(3000);
const before = streams.reduce((n, s) => n + s.messages, 0);
const bytesBefore = streams.reduce((n, s) => n + s.bytes, 0);
const sseShare = await cpuShare(pid, SECONDS);
const perClientRate = (streams.reduce((n, s) => n + s.messages, 0) - before) / SECONDS / CLIENTS;
const bytesRate = (streams.reduce((n, s) => n + s.bytes, 0) - bytesBefore) / SECONDS;
for (const stream of streams) stream.close();
await sleep(2000);
// 0 clients again: the extra CPU is measured against the mean of the windows before and after.
const idleAfter = await cpuShare(pid, SECONDS);
const idleShare = (idleBefore + idleAfter) / 2;

// ---- 2 and 3. the wall in Chromium ----------------------------------------------------------

browser = await launchChromium();
const page = await browser.context.newPage();
await page.setViewportSize({ width: 1920, height: 1080 });
const pageErrors: string[] = [];
page.on("pageerror", (err) => pageErrors.push(err.message));
await page.goto(`${base}/?kiosk=1`);
await page.locator("#conn[data-status='live']").waitFor({ timeout: 20_000 });
await page
  .locator(".card")
  .nth(MACHINES - 1)
  .waitFor();
await sleep(5000);

const cdp = await browser.context.newCDPSession(page);
await cdp.send("Performance.enable", { timeDomain: "timeTicks" });
type Metrics = Record<string, number>;
const metrics = async (): Promise<Metrics> =>
  Object.fromEntries(
    (await cdp.send("Performance.getMetrics")).metrics.map((m: { name: string; value: number }) => [
      m.name,
      m.value,
    ]),
  );
const m0 = await metrics();
const renderer0 = rendererMainCpuSeconds();
const browserGateway0 = processCpuSeconds(pid);
const wall0 = performance.now();
await sleep(SECONDS * 1000);
const m1 = await metrics();
const wallSeconds = (performance.now() - wall0) / 1000;
const rendererShare = (rendererMainCpuSeconds() - renderer0) / wallSeconds;
const gatewayWithPage = (processCpuSeconds(pid) - browserGateway0) / wallSeconds;
const perSecond = (name: string) => ((m1[name] ?? 0) - (m0[name] ?? 0)) / wallSeconds;

// Age of each spindle speed when shown: value = sender's Date.now() mod 100,000.
// (A string: this runs in the page, and the bench is type-checked without the DOM library.)
await page.evaluate(`{
  const ages = [];
  globalThis.benchAges = ages;
  new MutationObserver((records) => {
    const shown = [];
    for (const r of records) {
      const target = r.target.nodeType === 3 ? r.target.parentElement : r.target;
      if (!target || !target.classList.contains("gauge-value")) continue;
      const gauge = target.closest(".gauge");
      // The first gauge of a card is the spindle speed.
      if (!gauge || gauge !== gauge.parentElement.firstElementChild) continue;
      const digits = (target.textContent || "").replace(/\\D/g, "");
      if (digits !== "") shown.push(Number(digits));
    }
    if (shown.length === 0) return;
    requestAnimationFrame(() => {
      const now = Date.now() % 100000;
      for (const sent of shown) ages.push((now - sent + 100000) % 100000);
    });
  }).observe(document.getElementById("main"), { subtree: true, childList: true, characterData: true });
}`);
await sleep(SECONDS * 1000);
const ages = (await page.evaluate("globalThis.benchAges")) as number[];
await browser.close();
browser = undefined;

// ---- report ---------------------------------------------------------------------------------

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
const age = distribution(ages);
const late = ages.filter((a) => a > 1000).length;
const expected = MACHINES * SECONDS; // one spindle-speed change per machine per second
console.log("");
console.log(
  `gateway CPU, 0 SSE clients:              ${pct(idleShare)} of one core (${pct(idleBefore)} before, ${pct(idleAfter)} after)`,
);
console.log(
  `gateway CPU, ${CLIENTS} SSE clients:            ${pct(sseShare)} of one core → extra ${pct(sseShare - idleShare)} (goal < 10 %)` +
    `  [${perClientRate.toFixed(1)} messages/s per client, ${(bytesRate / 1024).toFixed(0)} KiB/s in all]`,
);
console.log(`gateway CPU with the wall open:          ${pct(gatewayWithPage)} of one core`);
console.log(
  `wall main thread (Chromium, 1920×1080):  ${pct(perSecond("TaskDuration"))} of one core busy (goal < 20 %)` +
    `  [script ${pct(perSecond("ScriptDuration"))}, layout ${pct(perSecond("LayoutDuration"))}, style ${pct(perSecond("RecalcStyleDuration"))}]`,
);
console.log(
  `wall main thread CPU time (/proc, renderer main):   ${pct(rendererShare)} of one core (goal < 20 %)`,
);
console.log(
  `value age when shown (send → next frame): p50 ${age.p50.toFixed(0)} ms, p90 ${age.p90.toFixed(0)} ms, p99 ${age.p99.toFixed(0)} ms, max ${age.max.toFixed(0)} ms; ` +
    `${late} of ${ages.length} over 1 s (goal 0; ${expected} changes sent in the window)`,
);
console.log(`page errors: ${pageErrors.length === 0 ? "none" : pageErrors.join("; ")}`);
console.log(`load average at the end: ${loadNow().toFixed(2)} (1 min)`);
exiting = true;
process.exit(0);
