// A PostgreSQL that takes the TCP connection and then says nothing (a server
// hung, or a proxy whose far side is gone): opening the training store or the
// web login store must give up after the connect timeout with the reason and
// the fix, not wait for the kernel's TCP timeout. Loopback only: the silent
// server is a plain TCP listener in this process.
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresTrainingStore } from "../../src/training/store/postgres.ts";
import { PostgresUnavailableError } from "../../src/training/store/postgres-errors.ts";
import { PostgresSessionStore } from "../../src/web/auth/postgres-session-store.ts";

let server: Server;
const sockets = new Set<Socket>();
let url: string;
beforeAll(async () => {
  server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  url = `postgres://gateway:s3cret-pw@127.0.0.1:${port}/maskinport`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("a PostgreSQL that never answers", () => {
  it.each([
    ["training store", () => PostgresTrainingStore.open(url, { connectTimeoutMs: 300 })],
    ["web sessions", () => PostgresSessionStore.open(url, { connectTimeoutMs: 300 })],
  ])("%s: gives up after the connect timeout, naming the server without its password", async (what, open) => {
    const started = performance.now();
    const err = await open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(PostgresUnavailableError);
    const message = (err as Error).message;
    expect(message).toMatch(
      new RegExp(`^${what}: PostgreSQL at postgres://127\\.0\\.0\\.1:\\d+/maskinport did not answer in time`),
    );
    expect(message).toContain("firewall");
    expect(message).not.toContain("s3cret");
  });
});
