// The sending gateway's part for the LRS test, as its own process so the test
// can SIGKILL it: a ledger file, the shared outbox (three members, as the
// gateway opens it with MQTT, InfluxDB and xAPI) and the xAPI push.
// Args: LEDGER_DB OUTBOX_DIR ENDPOINT USERNAME; the password comes on stdin.
import { pino } from "pino";
import { loadCatalogueFolder } from "../../../src/evidence/catalogue/load.ts";
import { SqliteLedgerStore } from "../../../src/evidence/ledger/sqlite-store.ts";
import { XapiPush } from "../../../src/evidence/xapi/lrs-push.ts";
import { SharedOutbox } from "../../../src/sinks/outbox/shared-outbox.ts";

const [ledgerDb, outboxDir, endpoint, username] = process.argv.slice(2) as [string, string, string, string];
let password = "";
for await (const c of process.stdin) password += String(c);

const log = pino({ level: "info" }, pino.destination(2));
const ledger = new SqliteLedgerStore(ledgerDb);
const outbox = new SharedOutbox({
  path: outboxDir,
  sinks: ["mqtt", "influx", "xapi"],
  name: "outbox",
  maxBytes: 64 * 1024 * 1024,
  whenFull: "pause",
  log,
});
outbox.open();
const push = new XapiPush({
  xapi: { endpoint, username, password: password.trim() },
  site: "raufoss",
  catalogue: loadCatalogueFolder(new URL("../../../config/competence", import.meta.url).pathname),
  ledger,
  outbox: outbox.sink("xapi"),
  log,
  pollIntervalMs: 100,
  flushIntervalMs: 100,
  batchSize: 25,
  backoff: { initialMs: 50, maxMs: 300 },
  requestTimeoutMs: 2000,
});
await push.start();
// The push's timers are unref'd (they never hold a gateway open); this process lives until killed.
setInterval(() => undefined, 1 << 30);
process.stdout.write("ready\n");
process.on("SIGTERM", async () => {
  await push.stop();
  outbox.close();
  await ledger.close();
  process.exit(0);
});
