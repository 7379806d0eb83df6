// The history contract against the embedded SQLite store.
import { pino } from "pino";
import { embeddedHistory } from "../../../src/sinks/history/embedded-history.ts";
import { EmbeddedTimeseries } from "../../../src/sinks/timeseries/embedded-timeseries.ts";
import { historyContract } from "./history-contract.ts";

historyContract("embedded SQLite store", async () => {
  const store = new EmbeddedTimeseries({
    path: ":memory:",
    retentionDays: 0,
    log: pino({ level: "silent" }),
  });
  await store.start();
  return {
    history: embeddedHistory(store),
    write: async (out) => {
      store.write(out);
      await store.flush();
    },
    close: () => store.stop(),
  };
});
