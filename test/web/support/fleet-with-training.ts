import { loadSiteConfig } from "../../../src/gateway/site-config.ts";
import type { WebDeps } from "../../../src/web/app.ts";
import type { StateSegment } from "../../../src/web/states-route.ts";
import type { FakeFleet } from "./fake-fleet.ts";
import { type ServedApp, serve } from "./serve.ts";
import type { TrainingWorld } from "./training-world.ts";

// The web app as the browser tests of its views serve it: the fake fleet's
// machines and live data with the real training layer in front (login, the
// training API, who ran a cycle), on a loopback port for Chromium.

/**
 * Serves `fleet` with `world`'s training side. `more` adds or replaces deps
 * and gets the fleet's own (for its history's range, say).
 */
export async function serveFleetWithTraining(
  fleet: FakeFleet,
  world: TrainingWorld,
  more: (fleetDeps: WebDeps) => Partial<WebDeps> = () => ({}),
): Promise<ServedApp> {
  const deps = fleet.deps();
  return serve({
    ...deps,
    ...world.webDeps(
      fleet.machines.map((m) => m.id),
      deps.log,
    ),
    ...more(deps),
  });
}

/**
 * A history with a state band (`stateTimeline`) and empty event tables (no
 * cycles, alarms or transfers): what the machine page draws when a test is
 * not about its tables.
 */
export function historyWithStatesOnly(
  fleetDeps: WebDeps,
  stateTimeline: (q: { machine: string; from: number; to: number }) => StateSegment[],
): WebDeps["history"] {
  return {
    range: fleetDeps.history!.range,
    stateTimeline,
    cycles: () => [],
    alarms: () => [],
    transfers: () => [],
  };
}

/** The admin page's site config: read from `file` as the gateway reads it, and again on "check again". */
export async function siteConfigFrom(file: string): Promise<WebDeps["siteConfig"]> {
  const load = (f: string) => loadSiteConfig(f, {});
  return { config: await load(file), file, load };
}
