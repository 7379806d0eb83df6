// The embedded broker's pure parts alone: topic rules per role, the packet
// size guard (property-based: any split of any stream of frames), the
// retained budget, and the mqtt.embedded config with bad input.
import fc from "fast-check";
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { BrokerAccess, filterWithin } from "../../src/sinks/mqtt/broker-access.ts";
import { anonymousReadDefault, isLoopbackHost } from "../../src/sinks/mqtt/broker-config.ts";
import { ConnectionCounter, clientAddress, RetainedBudget } from "../../src/sinks/mqtt/broker-limits.ts";
import { FrameSizeGuard } from "../../src/sinks/mqtt/frame-guard.ts";
import { configProblems } from "../support/config-problems.ts";

const access = new BrokerAccess("maskinport/raufoss");

describe("filterWithin", () => {
  it.each([
    ["maskinport/raufoss/lathe-1/cmd/reply", true],
    ["maskinport/raufoss/+/cmd/reply", true],
    ["maskinport/raufoss/#", false],
    ["maskinport/raufoss/+/cmd/#", false],
    ["maskinport/raufoss/+/cmd/+", false],
    ["#", false],
    ["maskinport/raufoss/lathe-1/cmd/reply/x", false],
    ["maskinport/raufoss/lathe-1/cmd", false],
    ["maskinport/+/lathe-1/cmd/reply", false],
    ["maskinport/raufoss/#/cmd/reply", false],
  ])("%s within maskinport/raufoss/+/cmd/reply: %s", (filter, within) => {
    expect(filterWithin(filter, "maskinport/raufoss/+/cmd/reply")).toBe(within);
  });

  it("a/# allows anything below a, and a itself", () => {
    expect(filterWithin("a/b/#", "a/#")).toBe(true);
    expect(filterWithin("a", "a/#")).toBe(true);
    expect(filterWithin("b/c", "a/#")).toBe(false);
  });
});

describe("BrokerAccess", () => {
  const state = "maskinport/raufoss/lathe-1/state";
  const checkin = "maskinport/raufoss/lathe-1/cmd/checkin";

  it("lets only the gateway publish under the prefix", () => {
    expect(access.publishRefusal("gateway", state, true)).toBeUndefined();
    for (const role of ["readwrite", "read", "anonymous", "checkin"] as const) {
      expect(access.publishRefusal(role, state, true)).toBeTypeOf("string");
      expect(access.publishRefusal(role, "maskinport/raufoss", false)).toBeTypeOf("string");
    }
    // The prefix is a whole level: maskinport/raufoss-2 is another site's.
    expect(access.publishRefusal("readwrite", "maskinport/raufoss-2/x", false)).toBeUndefined();
  });

  it("lets a check-in reader publish one machine's command, never retained", () => {
    expect(access.publishRefusal("checkin", checkin, false)).toBeUndefined();
    expect(access.publishRefusal("checkin", checkin, true)).toMatch(/retained/);
    expect(access.publishRefusal("checkin", "maskinport/raufoss/a/b/cmd/checkin", false)).toBeTypeOf(
      "string",
    );
    expect(access.publishRefusal("checkin", "maskinport/raufoss//cmd/checkin", false)).toBeTypeOf("string");
    expect(access.publishRefusal("checkin", "other/lathe-1/cmd/checkin", false)).toBeTypeOf("string");
  });

  it("keeps $ topics for the broker, for publishing and for reading", () => {
    for (const role of ["gateway", "readwrite", "checkin", "read", "anonymous"] as const) {
      expect(access.publishRefusal(role, "$SYS/x", false)).toBeTypeOf("string");
    }
    expect(access.maySubscribe("read", "$SYS/#")).toBe(false);
    expect(access.maySubscribe("anonymous", "$SYS/#")).toBe(false);
    expect(access.maySubscribe("readwrite", "$SYS/#")).toBe(true);
    expect(access.mayReceive("anonymous", "$SYS/abc/new/clients")).toBe(false);
    expect(access.mayReceive("readwrite", "$SYS/abc/new/clients")).toBe(true);
  });

  it("forwards check-in commands to the gateway only", () => {
    expect(access.mayReceive("gateway", checkin)).toBe(true);
    for (const role of ["readwrite", "checkin", "read", "anonymous"] as const) {
      expect(access.mayReceive(role, checkin)).toBe(false);
      expect(access.mayReceive(role, state)).toBe(true);
    }
  });
});

/** A stream of real MQTT packets of random sizes. */
const packets = fc.array(
  fc.record({
    topic: fc.stringMatching(/^[a-z/]{1,30}$/),
    size: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 100, max: 40_000 })),
  }),
  { minLength: 1, maxLength: 20 },
);

function encode(list: { topic: string; size: number }[]): { bytes: Buffer; sizes: number[] } {
  const frames = list.map((p) =>
    mqttPacket.generate({
      cmd: "publish",
      topic: p.topic,
      payload: Buffer.alloc(p.size, 0x41),
      qos: 0,
      retain: false,
      dup: false,
    }),
  );
  return { bytes: Buffer.concat(frames), sizes: frames.map((f) => f.length) };
}

/** Cut `bytes` at the given fractions into chunks, like a socket might deliver them. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    if (to > from) chunks.push(bytes.subarray(from, to));
    from = Math.max(from, to);
  }
  return chunks;
}

describe("FrameSizeGuard", () => {
  const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

  it("passes any stream of packets within the limit, however it is split", () => {
    fc.assert(
      fc.property(packets, cuts, (list, at) => {
        const { bytes, sizes } = encode(list);
        const guard = new FrameSizeGuard(Math.max(...sizes));
        for (const chunk of split(bytes, at)) expect(guard.feed(chunk)).toEqual({ ok: true });
      }),
      { seed: 13, numRuns: 200 },
    );
  });

  it("refuses the first packet over the limit, naming its exact size, however the stream is split", () => {
    fc.assert(
      fc.property(packets, cuts, (list, at) => {
        const { bytes, sizes } = encode(list);
        const limit = Math.max(1, Math.min(...sizes) + 1);
        const firstTooBig = sizes.find((s) => s > limit);
        const guard = new FrameSizeGuard(limit);
        let verdict: ReturnType<FrameSizeGuard["feed"]> = { ok: true };
        for (const chunk of split(bytes, at)) {
          verdict = guard.feed(chunk);
          if (!verdict.ok) break;
        }
        if (firstTooBig === undefined) expect(verdict).toEqual({ ok: true });
        else expect(verdict).toEqual({ ok: false, reason: "too-large", bytes: firstTooBig, limit });
      }),
      { seed: 14, numRuns: 200 },
    );
  });

  it("decides on the header alone: 50 MB announced, no body needed", () => {
    const size = 50 * 1024 * 1024;
    const header = Buffer.from([
      0x30,
      0x80 | (size & 0x7f),
      0x80 | ((size >> 7) & 0x7f),
      0x80 | ((size >> 14) & 0x7f),
      size >> 21,
    ]);
    expect(new FrameSizeGuard(1 << 20).feed(header)).toEqual({
      ok: false,
      reason: "too-large",
      bytes: 1 + 4 + size,
      limit: 1 << 20,
    });
  });

  it("refuses a length of more than four bytes, and stays refused", () => {
    const guard = new FrameSizeGuard(1 << 20);
    expect(guard.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toEqual({
      ok: false,
      reason: "malformed-length",
    });
    expect(guard.feed(Buffer.from([0xc0, 0x00])).ok).toBe(false);
  });

  it("is linear: a megabyte of tiny packets in one chunk takes milliseconds", () => {
    const ping = Buffer.from([0xc0, 0x00]);
    const stream = Buffer.concat(Array.from({ length: 512 * 1024 }, () => ping));
    const guard = new FrameSizeGuard(16);
    const started = performance.now();
    expect(guard.feed(stream).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe("RetainedBudget and ConnectionCounter", () => {
  it("counts topics and bytes (topic names included), replacements by their difference", () => {
    const budget = new RetainedBudget({ maxTopics: 2, maxBytes: 100 });
    expect(budget.admit("a", 40)).toBeUndefined();
    expect(budget.admit("a", 10)).toBeUndefined();
    expect(budget.bytes).toBe(11);
    expect(budget.admit("b", 80)).toBeUndefined();
    expect(budget.admit("c", 1)).toMatch(/2 retained topics/);
    expect(budget.admit("b", 89)).toMatch(/100 bytes/);
    expect(budget.admit("a", 0)).toBeUndefined();
    expect(budget.topics).toBe(1);
    expect(budget.admit("c", 1)).toBeUndefined();
    expect(budget.admit("never-held", 0)).toBeUndefined();
    expect(budget.topics).toBe(2);
  });

  it("takes and releases slots per key", () => {
    const counter = new ConnectionCounter(2);
    expect([counter.take("x"), counter.take("x"), counter.take("x"), counter.take("y")]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    counter.release("x");
    expect(counter.take("x")).toBe(true);
    expect(clientAddress("::ffff:10.0.0.5")).toBe("10.0.0.5");
    expect(clientAddress("::1")).toBe("::1");
  });
});

describe("mqtt.embedded config", () => {
  const base = (embedded: string) => `site: raufoss
gateway: { id: gw-1 }
mqtt:
  embedded:
${embedded
  .split("\n")
  .map((l) => `    ${l}`)
  .join("\n")}
machines:
  - { id: lathe-1, name: Lathe, kind: lathe }
`;
  const problems = (yaml: string, env: NodeJS.ProcessEnv = {}) => configProblems(yaml, env, { lines: false });

  it("fills secure defaults", () => {
    const c = parseConfig(base("port: 1883"), "t", {});
    expect(c.mqtt.embedded).toMatchObject({
      host: "127.0.0.1",
      users: [],
      limits: {
        maxMessageBytes: 262_144,
        maxRetainedTopics: 1000,
        maxRetainedBytes: 10_485_760,
        maxConnectionsPerAddress: 32,
        maxConnectionsPerUser: 8,
      },
    });
    expect(c.mqtt.embedded?.allowAnonymousRead).toBeUndefined();
  });

  it("reads users with passwords from the environment, and a TLS listener", () => {
    const c = parseConfig(
      base(`users:
  - username: badge-1
    password: \${BADGE_PW}
    role: checkin
  - { username: grafana, password: "\${GRAFANA_PW}" }
tls: { cert: certs/broker.pem, key: certs/broker.key }`),
      "/etc/maskinport/site.yaml",
      { BADGE_PW: "a-long-badge-password", GRAFANA_PW: "another-long-password" },
    );
    expect(c.mqtt.embedded?.users.map((u) => [u.username, u.role])).toEqual([
      ["badge-1", "checkin"],
      ["grafana", "read"],
    ]);
    expect(c.mqtt.embedded?.tls).toMatchObject({ port: 8883, host: "0.0.0.0" });
  });

  it("never shows a password in an error", () => {
    const p = problems(base("users: [{ username: reader, password: short-pw }]"));
    expect(p).toEqual([
      expect.stringMatching(
        /^mqtt\.embedded\.users\[0\]\.password: expected a password of at least 12 characters/,
      ),
    ]);
    expect(p.join("\n")).not.toContain("short-pw");
  });

  it("names the reserved gateway name and unknown roles", () => {
    const p = problems(
      base(`users:
  - { username: maskinport-gateway, password: a-long-password-2 }
  - { username: x, password: a-long-password-3, role: admin }`),
    );
    expect(p).toEqual([
      'mqtt.embedded.users[0].username: "maskinport-gateway" is reserved for the gateway itself',
      'mqtt.embedded.users[1].role: expected one of "read", "checkin", "readwrite", got "admin"',
    ]);
  });

  it("names duplicate users and half a login", () => {
    const p = problems(
      base(`username: school
users:
  - { username: school, password: a-long-password-1 }`),
    );
    expect(p).toEqual([
      "mqtt.embedded.password: set both mqtt.embedded.username and mqtt.embedded.password, or neither",
      'mqtt.embedded.users[0].username: user "school" is defined twice; user names must be unique',
    ]);
  });

  it("needs the TLS listener on its own port", () => {
    expect(
      problems(base("port: 8883\ntls: { port: 8883, host: 127.0.0.1, cert: c.pem, key: k.pem }")).join(),
    ).toMatch(/tls\.port: the TLS listener needs its own port/);
  });

  it("anonymous read defaults to on only while every listener is on loopback and no login is set", () => {
    expect(anonymousReadDefault({ host: "127.0.0.1" })).toBe(true);
    expect(anonymousReadDefault({ host: "::1" })).toBe(true);
    expect(anonymousReadDefault({ host: "0.0.0.0" })).toBe(false);
    expect(anonymousReadDefault({ host: "10.0.0.5" })).toBe(false);
    expect(anonymousReadDefault({ host: "127.0.0.1", username: "school" })).toBe(false);
    expect(
      anonymousReadDefault({ host: "127.0.0.1", tls: { host: "0.0.0.0", port: 8883, cert: "c", key: "k" } }),
    ).toBe(false);
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("127.0.0.2")).toBe(true);
    expect(isLoopbackHost("128.0.0.1")).toBe(false);
  });
});
