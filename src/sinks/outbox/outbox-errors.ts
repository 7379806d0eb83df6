import { storageError } from "../storage-errors.ts";

const OUTBOX = {
  fileKind: "outbox",
  what: "outbox",
  configKey: "outbox.path",
  target: "a writable folder",
  diskFullHint: "lower outbox.maxBytes so the outbox never grows that large",
  corruptHint:
    "move it aside and restart (its undelivered data is then lost), or set outbox.path to another folder",
  busyHint:
    "(is a second gateway running with the same outbox.path?): stop it or give each gateway its own outbox.path",
};

/** "cannot <action> outbox <path>: <reason>" as an Error, keeping the original as cause. */
export function outboxError(action: string, path: string, err: unknown): Error {
  return storageError(OUTBOX, action, path, err);
}
