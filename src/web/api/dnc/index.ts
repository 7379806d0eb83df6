import type { ApiRoutes } from "../../app.ts";
import { historyRoutes } from "./history-routes.ts";
import { libraryRoutes } from "./library-routes.ts";
import { DEFAULT_MAX_PROGRAM_BYTES } from "./limits.ts";
import { machinesRoute } from "./machines-route.ts";
import { DEFAULT_DNC_API_TUNING, type DncApiDeps } from "./ports.ts";
import { ProgressStreams } from "./progress-stream.ts";
import { startTransferRoute } from "./start-transfer-route.ts";
import { WebTransfers } from "./transfer-registry.ts";
import { transferRoutes } from "./transfer-routes.ts";
import { renderUploadPage, uploadPageConfig, uploadPageRoute } from "./upload-page.ts";
import { validateRoute } from "./validate-route.ts";

export { DEFAULT_MAX_PROGRAM_BYTES } from "./limits.ts";
export {
  type CheckInPort,
  type DncApiDeps,
  type DncLine,
  type DncLineEntry,
  NOBODY_CHECKED_IN,
} from "./ports.ts";
export { TRANSFER_STATES, type TransferState, type TransferView } from "./transfer-registry.ts";

/**
 * DNC from the browser (API-CONTRACT.md): the routes under /api/dnc and the
 * upload page at /dnc, handed to createWebApp as one of `deps.apiRoutes`.
 * See README.md in this folder.
 */
export function dncApi(deps: DncApiDeps): ApiRoutes {
  const tuning = { ...DEFAULT_DNC_API_TUNING, ...deps.tuning };
  const maxProgramBytes = deps.maxProgramBytes ?? DEFAULT_MAX_PROGRAM_BYTES;
  const log = deps.log.child({ component: "dnc-web" });
  const page = renderUploadPage(
    uploadPageConfig({
      timeZone: deps.timeZone,
      maxProgramBytes,
      progressIntervalMs: tuning.progressIntervalMs,
    }),
  );
  return (app, access) => {
    // One registry per app: a transfer belongs to the gateway run that started it.
    const transfers = new WebTransfers({
      now: deps.now ?? Date.now,
      keepEndedMs: tuning.keepEndedMs,
      maxEnded: tuning.maxEnded,
    });
    const streams = new ProgressStreams(transfers, tuning.progressIntervalMs);
    app.addHook("preClose", async () => streams.closeAll());

    uploadPageRoute(app, page);
    machinesRoute(app, access, deps);
    validateRoute(app, access, deps, maxProgramBytes);
    startTransferRoute(app, access, deps, { transfers, maxProgramBytes, log });
    historyRoutes(app, access, deps, transfers);
    libraryRoutes(app, access, deps);
    transferRoutes(app, access, { transfers, streams });
  };
}
