// The deployment files of the compose stack (docker-compose.yml, deploy/,
// config/real-services.yaml) are checked for what can be checked without a
// Docker engine: structure, files they mount, names they share, and that the
// gateway accepts its config.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../../src/config/load.ts";

const root = join(import.meta.dirname, "../../..");
const read = (p: string) => readFileSync(join(root, p), "utf8");

type Service = {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: string[];
};

describe("compose stack", () => {
  const compose = parse(read("docker-compose.yml")) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };

  it("has the gateway, Mosquitto, InfluxDB 1.8 and Grafana", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["gateway", "grafana", "influxdb", "mosquitto"]);
    expect(compose.services.influxdb?.image).toBe("influxdb:1.8");
    expect(compose.services.mosquitto?.image).toMatch(/^eclipse-mosquitto:2/);
    expect(compose.services.grafana?.image).toMatch(/^grafana\/grafana:/);
    expect(compose.services.gateway?.build).toBe(".");
    expect(compose.services.gateway?.depends_on).toEqual(["mosquitto", "influxdb"]);
  });

  it("mounts files that exist and named volumes that are declared", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(":");
        if (source!.startsWith("./"))
          expect(existsSync(join(root, source!)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name}: volume ${source}`).toContain(source);
      }
      for (const port of service.ports ?? []) expect(port).toMatch(/^\d+:\d+$/);
    }
  });

  it("runs the gateway with config/real-services.yaml, which check-config accepts", () => {
    const command = compose.services.gateway?.command ?? [];
    expect(command.slice(0, 2)).toEqual(["run", "--config"]);
    expect(command[2]).toBe("config/real-services.yaml");
    const r = spawnSync(
      process.execPath,
      [join(root, "bin/maskinport.mjs"), "check-config", join(root, command[2]!)],
      {
        env: { ...process.env, INFLUX_PASSWORD: "test-only" },
        encoding: "utf8",
      },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^ok: .*real-services\.yaml/);
    expect(r.status).toBe(0);
  });

  it("config/real-services.yaml points at the compose services and keeps secrets in the environment", () => {
    const config = loadConfig(join(root, "config/real-services.yaml"), { INFLUX_PASSWORD: "from-env" });
    expect(config.mqtt.url).toBe("mqtt://mosquitto:1883");
    expect(config.timeseries.influx).toMatchObject({
      url: "http://influxdb:8086",
      database: compose.services.influxdb?.environment?.INFLUXDB_DB,
      username: compose.services.influxdb?.environment?.INFLUXDB_WRITE_USER,
      password: "from-env",
    });
    expect(config.outbox.path).toBe("/app/data/outbox");
    expect(compose.services.gateway?.volumes).toContain("gateway-data:/app/data");
    expect(read("config/real-services.yaml")).not.toMatch(/password: (?!\$\{)/);
  });

  it("Mosquitto keeps what it acknowledged (persistence, no 1,000-message queue cap)", () => {
    const conf = read("deploy/mosquitto/mosquitto.conf");
    expect(conf).toMatch(/^persistence true$/m);
    expect(conf).toMatch(/^persistence_location \/mosquitto\/data\/$/m);
    const queued = Number(/^max_queued_messages (\d+)$/m.exec(conf)?.[1]);
    expect(queued).toBeGreaterThan(1_000_000);
  });

  it("Grafana: the provisioned datasource is the one the dashboard uses, and its queries use the sink's schema", () => {
    const datasources = parse(read("deploy/grafana/provisioning/datasources/influxdb.yaml")) as {
      datasources: { uid: string; url: string; database: string }[];
    };
    const [ds] = datasources.datasources;
    expect(ds).toMatchObject({ url: "http://influxdb:8086", database: "maskinport" });
    const provider = parse(read("deploy/grafana/provisioning/dashboards/maskinport.yaml")) as {
      providers: { options: { path: string } }[];
    };
    expect(compose.services.grafana?.volumes).toContain(
      `./deploy/grafana/dashboards:${provider.providers[0]!.options.path}:ro`,
    );
    const dashboard = JSON.parse(read("deploy/grafana/dashboards/maskinport-fleet.json")) as {
      panels: {
        title: string;
        datasource: { uid: string };
        targets: { query: string; datasource: { uid: string } }[];
      }[];
    };
    const titles = dashboard.panels.map((p) => p.title);
    expect(titles).toEqual([
      "Fleet state",
      "Spindle speed",
      "Spindle load",
      "Cycles per session (trainee pseudonym)",
      "Alarms",
    ]);
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid).toBe(ds!.uid);
      for (const t of panel.targets) {
        expect(t.datasource.uid).toBe(ds!.uid);
        expect(t.query).toMatch(/FROM "(signal|state|cycle|alarm)"/);
      }
    }
    const queries = dashboard.panels.flatMap((p) => p.targets.map((t) => t.query)).join("\n");
    for (const s of [
      "'spindle.speed'",
      "'spindle.load'",
      'GROUP BY "session"',
      '"nativeCode"',
      'last("state")',
    ]) {
      expect(queries).toContain(s);
    }
  });
});
