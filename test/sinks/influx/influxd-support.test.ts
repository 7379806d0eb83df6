// The test helper that gives integration tests a real influxd: it must come
// up, keep its data across kill/restart, and enforce auth when asked.
import { afterAll, describe, expect, it } from "vitest";
import { type Influxd, influxCount, influxQuery, startInfluxd } from "../../support/influxd.ts";

describe("startInfluxd (test support)", () => {
  const started: Influxd[] = [];
  afterAll(async () => {
    await Promise.all(started.map((i) => i.stop()));
  });

  it("starts an own influxd that keeps its data across kill() and restart()", async () => {
    const influxd = await startInfluxd({ own: true });
    started.push(influxd);
    expect(influxd.owned).toBe(true);
    expect(influxd.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await influxQuery(influxd.url, "CREATE DATABASE support");
    const write = await fetch(`${influxd.url}/write?db=support&precision=ms`, {
      method: "POST",
      body: "m,machine=a value=1 1700000000000\nm,machine=a value=2 1700000000001",
    });
    expect(write.status).toBe(204);

    await influxd.kill();
    expect((await fetch(`${influxd.url}/ping`).catch(() => undefined))?.status).toBeUndefined();
    await influxd.restart();
    expect(await influxCount(influxd.url, "support", "SELECT count(value) FROM m")).toBe(2);
  });

  it("enforces authentication when an admin is given", async () => {
    const admin = { username: "admin", password: "s3cret'x" };
    const influxd = await startInfluxd({ admin });
    started.push(influxd);
    const anonymous = await fetch(`${influxd.url}/query?q=SHOW+DATABASES`);
    expect(anonymous.status).toBe(401);
    const r = await influxQuery(influxd.url, "SHOW DATABASES", { auth: admin });
    expect(r.results[0]?.error).toBeUndefined();
  });
});
