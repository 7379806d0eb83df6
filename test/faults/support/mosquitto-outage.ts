// A Mosquitto that can be taken down for a while and brought back on the same
// port with its persistent sessions: stop() is a graceful SIGTERM (Mosquitto
// writes its persistence file on the way out), start() launches it again.
// It is test/support/mosquitto.ts's own broker with persistence, named for an
// outage: restart() there comes back at once, an outage needs the gap.
import { startMosquitto } from "../../support/mosquitto.ts";

export type OutageBroker = {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
};

export async function startOutageBroker(extraConfig: string[] = []): Promise<OutageBroker> {
  const broker = await startMosquitto({ own: true, persistence: true, extraConfig });
  return { url: broker.url, stop: broker.takeDown, start: broker.bringUp, dispose: broker.stop };
}
