import { storageError as describe } from "../storage-errors.ts";

const TIMESERIES = {
  fileKind: "SQLite database",
  what: "time-series database",
  configKey: "timeseries.embedded.path",
  target: "a writable location",
  diskFullHint: "lower timeseries.embedded.retentionDays",
  corruptHint: "move it aside and restart, or set timeseries.embedded.path to another file",
};

/** "cannot <action> time-series database <path>: <reason>" as an Error, keeping the original as cause. */
export function storageError(action: string, path: string, err: unknown): Error {
  return describe(TIMESERIES, action, path, err);
}
