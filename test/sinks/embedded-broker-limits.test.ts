// What one client can make the embedded broker hold (issue 13, item 3):
// packet size, retained topics and bytes, connections per address and per
// user; plus the TLS listener and who may read without a login. Real broker
// thread, real sockets.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type IClientOptions, MqttClient } from "mqtt";
import mqttPacket from "mqtt-packet";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startTestBroker, type TestBroker } from "../support/embedded-broker.ts";
import { waitFor } from "../support/ports.ts";

const LAB = { username: "lab", password: "lab-password-123" };

const brokers: TestBroker[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const b of brokers.splice(0)) await b.close();
});

async function broker(opts: Parameters<typeof startTestBroker>[0] = {}): Promise<TestBroker> {
  const b = await startTestBroker({ users: [{ ...LAB, role: "readwrite" }], ...opts });
  brokers.push(b);
  return b;
}

async function connect(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  const client = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  cleanups.push(() => client.endAsync(true));
  return client;
}

/** An mqtt.js client whose socket leaves from `localAddress` (mqtt.js has no option for it). */
async function connectFrom(localAddress: string, port: number): Promise<MqttClient> {
  const client = new MqttClient(() => tcpConnect({ host: "127.0.0.1", port, localAddress }), {
    reconnectPeriod: 0,
    protocolVersion: 4,
    connectTimeout: 3000,
  });
  cleanups.push(() => client.endAsync(true));
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
    client.once("close", () => reject(new Error(`connection from ${localAddress} closed`)));
  });
  return client;
}

function closed(client: MqttClient, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected) return resolve();
    const timer = setTimeout(
      () => reject(new Error(`connection still open after ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Retained messages a fresh subscriber gets for `filter` (waits for a barrier message it sends itself). */
async function retainedUnder(url: string, filter: string): Promise<Map<string, number>> {
  const client = await connect(url, LAB);
  const seen = new Map<string, number>();
  const barrier = `barrier/${Date.now()}-${Math.random()}`;
  let done = false;
  client.on("message", (topic, payload) => {
    if (topic === barrier) done = true;
    else seen.set(topic, payload.length);
  });
  await client.subscribeAsync([filter, barrier], { qos: 1 });
  await client.publishAsync(barrier, "x", { qos: 1 });
  await waitFor("the barrier", () => done);
  return seen;
}

describe("embedded broker: packet size", () => {
  it("drops a client that announces a 50 MB packet before the body arrives; the broker stays up", async () => {
    const b = await broker();
    const socket = tcpConnect({ host: "127.0.0.1", port: b.port });
    cleanups.push(async () => socket.destroy());
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    const gone = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
    const connectPacket = mqttPacket.generate({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: true,
      clientId: "big-sender",
      keepalive: 30,
      username: LAB.username,
      password: Buffer.from(LAB.password),
    });
    // A PUBLISH header announcing 50 MB, then only the first 64 KiB of it.
    const header = mqttPacket.generate({
      cmd: "publish",
      topic: "lab/big",
      payload: Buffer.alloc(0),
      qos: 0,
      retain: true,
      dup: false,
    });
    const size = 50 * 1024 * 1024;
    const announced = Buffer.concat([
      Buffer.from([0x31]),
      Buffer.from([
        0x80 | (size & 0x7f),
        0x80 | ((size >> 7) & 0x7f),
        0x80 | ((size >> 14) & 0x7f),
        size >> 21,
      ]),
      header.subarray(2, 2 + 2 + "lab/big".length),
    ]);
    socket.write(connectPacket);
    socket.write(Buffer.concat([announced, Buffer.alloc(64 * 1024)]));
    await expect(
      Promise.race([
        gone,
        new Promise((_, reject) => setTimeout(() => reject(new Error("still open")), 3000)),
      ]),
    ).resolves.toBeUndefined();

    // The broker still serves others, and nothing was retained.
    expect(await retainedUnder(b.url, "lab/#")).toEqual(new Map());
  });

  it("refuses a 50 MB retained publish from an mqtt.js client, and keeps the default cap small", async () => {
    const b = await broker();
    const big = await connect(b.url, LAB);
    const refused = closed(big);
    big.publish("lab/big", Buffer.alloc(50 * 1024 * 1024, 0x41), { qos: 0, retain: true });
    await refused;
    expect(await retainedUnder(b.url, "lab/#")).toEqual(new Map());

    // Just under the configured cap goes through.
    const small = await broker({ limits: { maxMessageBytes: 64 * 1024 } });
    const ok = await connect(small.url, LAB);
    await ok.publishAsync("lab/ok", Buffer.alloc(60 * 1024, 0x41), { qos: 1, retain: true });
    expect((await retainedUnder(small.url, "lab/#")).get("lab/ok")).toBe(60 * 1024);
  });

  it("does not cap the gateway's own packets", async () => {
    const b = await broker({ limits: { maxMessageBytes: 2048 } });
    const gateway = await connect(b.gatewayUrl);
    await gateway.publishAsync("maskinport/test/lathe-1/state", Buffer.alloc(100_000, 0x41), {
      qos: 1,
      retain: true,
    });
    expect((await retainedUnder(b.url, "maskinport/test/#")).get("maskinport/test/lathe-1/state")).toBe(
      100_000,
    );
  });
});

describe("embedded broker: retained messages from clients", () => {
  it("holds at most maxRetainedTopics; the flood is refused, clearing one frees its slot", async () => {
    const b = await broker({ limits: { maxRetainedTopics: 20 } });
    let client = await connect(b.url, LAB);
    let refusedAt = -1;
    for (let i = 0; i < 100; i++) {
      if (!client.connected) {
        refusedAt = i - 1;
        break;
      }
      client.publish(`lab/flood/${i}`, "spam", { qos: 1, retain: true });
      await new Promise((r) => setImmediate(r));
    }
    await closed(client);
    expect(refusedAt === -1 || refusedAt >= 20).toBe(true);
    const held = await retainedUnder(b.url, "lab/#");
    expect(held.size).toBe(20);

    // Replacing a held topic is fine; a new one is not; clearing one makes room for one.
    client = await connect(b.url, LAB);
    await client.publishAsync("lab/flood/0", "replaced", { qos: 1, retain: true });
    await client.publishAsync("lab/flood/1", "", { qos: 1, retain: true });
    await client.publishAsync("lab/flood/new", "fits", { qos: 1, retain: true });
    const refused = closed(client);
    client.publish("lab/flood/one-too-many", "no", { qos: 1, retain: true });
    await refused;
    const after = await retainedUnder(b.url, "lab/#");
    expect(after.size).toBe(20);
    expect(after.has("lab/flood/new")).toBe(true);
    expect(after.has("lab/flood/one-too-many")).toBe(false);
  });

  it("holds at most maxRetainedBytes", async () => {
    const b = await broker({ limits: { maxRetainedBytes: 10_000 } });
    const client = await connect(b.url, LAB);
    for (let i = 0; i < 4; i++) {
      await client.publishAsync(`lab/b/${i}`, Buffer.alloc(2000), { qos: 1, retain: true });
    }
    const refused = closed(client);
    client.publish("lab/b/4", Buffer.alloc(3000), { qos: 1, retain: true });
    await refused;
    const held = await retainedUnder(b.url, "lab/#");
    expect([...held.values()].reduce((a, n) => a + n, 0)).toBe(8000);
  });
});

describe("embedded broker: connections", () => {
  it("caps connections per client address; another address and the gateway still get in", async () => {
    const b = await broker({ limits: { maxConnectionsPerAddress: 3 } });
    const gateway = await connect(b.gatewayUrl);
    for (let i = 0; i < 3; i++) await connect(b.url);
    await expect(connectFrom("127.0.0.1", b.port)).rejects.toThrow();
    // 127.0.0.2 is loopback too, but another address: another host as far as the broker can tell.
    const other = await connectFrom("127.0.0.2", b.port);
    expect(other.connected).toBe(true);
    expect(gateway.connected).toBe(true);
    // A slot comes back when its connection closes.
    await cleanups[1]!();
    await waitFor("a free slot", async () => {
      try {
        const again = await connectAsync(b.url, { reconnectPeriod: 0, connectTimeout: 1000 });
        cleanups.push(() => again.endAsync(true));
        return true;
      } catch {
        return undefined;
      }
    });
  });

  it("caps connections per configured user", async () => {
    const b = await broker({ limits: { maxConnectionsPerUser: 2 } });
    await connect(b.url, LAB);
    await connect(b.url, LAB);
    await expect(connectAsync(b.url, { ...LAB, reconnectPeriod: 0 })).rejects.toThrow(/Server unavailable/i);
  });
});

describe("embedded broker: who may read without a login", () => {
  it("anonymous read is on by default on loopback, off when the broker faces the network", async () => {
    const local = await broker();
    await connect(local.url);

    const open = await broker({ host: "0.0.0.0" });
    await expect(connectAsync(`mqtt://127.0.0.1:${open.port}`, { reconnectPeriod: 0 })).rejects.toThrow(
      /Not authorized/i,
    );
    await connect(`mqtt://127.0.0.1:${open.port}`, LAB);
  });

  it("follows allowAnonymousRead when it is set", async () => {
    const closedBroker = await broker({ allowAnonymousRead: false });
    await expect(connectAsync(closedBroker.url, { reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/i);
  });
});

describe("embedded broker: TLS listener", () => {
  const dir = mkdtempSync(join(tmpdir(), "maskinport-broker-tls-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const pem = (path: string) => readFileSync(path);
  // A self-signed certificate for 127.0.0.1, made here (openssl is a Debian base package).
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=maskinport-test",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );

  it("serves mqtts:// with the configured certificate; the same rules apply there", async () => {
    const b = await broker({ tls: { host: "127.0.0.1", port: 0, cert, key } });
    expect(b.tlsPort).toBeGreaterThan(0);
    const url = `mqtts://127.0.0.1:${b.tlsPort}`;
    const secure = await connect(url, { ...LAB, ca: pem(cert) });
    await secure.publishAsync("lab/over-tls", "1", { qos: 1, retain: true });
    expect((await retainedUnder(b.url, "lab/#")).has("lab/over-tls")).toBe(true);

    // An untrusted certificate is refused by the client; a plain client gets nowhere on the TLS port.
    await expect(connectAsync(url, { ...LAB, reconnectPeriod: 0 })).rejects.toThrow(
      /self-signed|certificate/i,
    );
    const plain = await connectFrom("127.0.0.1", b.tlsPort!).catch((err: Error) => err);
    expect(plain).toBeInstanceOf(Error);

    // Only the gateway publishes under the prefix, over TLS too.
    const spoofer = await connect(url, { ...LAB, ca: pem(cert) });
    const refused = closed(spoofer);
    spoofer.publish("maskinport/test/lathe-1/state", "{}", { retain: true });
    await refused;
  });

  it("asks for a client certificate signed by tls.ca when it is set", async () => {
    // A self-signed certificate is its own CA: the client presenting it is trusted.
    const b = await broker({ tls: { host: "127.0.0.1", port: 0, cert, key, ca: cert } });
    const url = `mqtts://127.0.0.1:${b.tlsPort}`;
    await connect(url, { ...LAB, ca: pem(cert), cert: pem(cert), key: pem(key) });
    await expect(
      connectAsync(url, { ...LAB, ca: pem(cert), reconnectPeriod: 0, connectTimeout: 2000 }),
    ).rejects.toThrow();
  });

  it("names the file and the key when a PEM file is missing", async () => {
    await expect(
      startTestBroker({ tls: { host: "127.0.0.1", port: 0, cert: join(dir, "missing.pem"), key } }),
    ).rejects.toThrow(/mqtt\.embedded\.tls\.cert .*missing\.pem.*ENOENT/);
  });
});
