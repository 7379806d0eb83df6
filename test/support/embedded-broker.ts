import { pino } from "pino";
import {
  type EmbeddedBroker,
  type EmbeddedBrokerOptions,
  startEmbeddedBroker,
} from "../../src/sinks/mqtt/embedded-broker.ts";

export type TestBroker = EmbeddedBroker & {
  /** Anonymous (read-only on loopback). */
  url: string;
  /** Logged in as the gateway, which may publish anywhere: for sinks and raw publishers in tests and benches. */
  gatewayUrl: string;
};

/**
 * The embedded broker on a free loopback port, as tests and benches use it:
 * prefix maskinport/test and the gateway client id maskinport-gw-1 unless
 * given. Only the gateway may publish, so publishers connect to `gatewayUrl`.
 */
export async function startTestBroker(opts: Partial<EmbeddedBrokerOptions> = {}): Promise<TestBroker> {
  const broker = await startEmbeddedBroker({
    host: "127.0.0.1",
    port: 0,
    prefix: "maskinport/test",
    gatewayClientId: "maskinport-gw-1",
    log: pino({ level: "silent" }),
    ...opts,
  });
  const { username, password } = broker.gatewayLogin;
  const host = opts.host ?? "127.0.0.1";
  return {
    ...broker,
    url: `mqtt://${host}:${broker.port}`,
    gatewayUrl: `mqtt://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${host}:${broker.port}`,
  };
}
