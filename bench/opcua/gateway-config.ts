// Writes the configuration file `maskinport run` gets in the peer harness
// (gateway.sh), from the harness's environment, and prints its path.
//
//   node bench/opcua/gateway-config.ts --variant default|lean --site NAME --dir DIR
//
// env (set by the harness): OPCUA_URL MQTT_URL BENCH_V SAMPLING_MS PUBLISH_MS.
// The machine `bench` monitors the bench server's V0000… Doubles by an
// explicit node map (raw.v0000 …), securityMode None, queue 10, chunks of
// 1,000 monitored items; topics maskinport/<site>/bench/signal/raw.v0000 ….
import { parseArgs } from "node:util";
import {
  freePort,
  type GatewayVariant,
  VARIANTS,
  writeGatewayConfig,
} from "../support/maskinport-process.ts";

const { values } = parseArgs({
  options: {
    variant: { type: "string" },
    site: { type: "string" },
    dir: { type: "string" },
  },
});
const variant = values.variant as GatewayVariant;
if (!VARIANTS.includes(variant) || !values.site || !values.dir) {
  console.error(`usage: gateway-config.ts --variant ${VARIANTS.join("|")} --site NAME --dir DIR`);
  process.exit(2);
}
const env = process.env;
const V = Number(env.BENCH_V ?? 500);
const nodes = Object.fromEntries(
  Array.from({ length: V }, (_, i) => {
    const name = `V${String(i).padStart(4, "0")}`;
    return [`raw.${name.toLowerCase()}`, `ns=1;s=${name}`];
  }),
);
const file = writeGatewayConfig({
  variant,
  site: values.site,
  dir: values.dir,
  mqtt: { url: env.MQTT_URL ?? "mqtt://127.0.0.1:18883" },
  webPort: await freePort(),
  machines: [
    {
      id: "bench",
      name: "OPC UA bench server",
      kind: "other",
      monitor: {
        type: "opcua",
        endpoint: env.OPCUA_URL ?? "opc.tcp://127.0.0.1:14841",
        securityMode: "None",
        pkiDir: `${values.dir}/../pki`,
        nodes,
        samplingIntervalMs: Number(env.SAMPLING_MS ?? 50),
        publishingIntervalMs: Number(env.PUBLISH_MS ?? 50),
        queueSize: 10,
        chunkSize: 1000,
      },
    },
  ],
});
console.log(file);
