import type { ApiRoutes } from "../app.ts";
import { courseRoutes } from "./course-routes.ts";
import type { TrainingApiDeps } from "./deps.ts";
import { evidenceRoutes } from "./evidence-routes.ts";
import { privacyRoutes } from "./privacy-routes.ts";
import { reportRoutes } from "./report-routes.ts";
import { sessionRoutes } from "./session-routes.ts";
import { userRoutes } from "./user-routes.ts";

export type { TrainingApiDeps } from "./deps.ts";

/**
 * The training API of API-CONTRACT.md for `createWebApp({ apiRoutes })`:
 * "People and sessions" always, "Evidence" when the gateway has an evidence
 * service.
 */
export function trainingApi(deps: TrainingApiDeps): ApiRoutes {
  return (app, access) => {
    sessionRoutes(app, access, deps);
    userRoutes(app, access, deps);
    courseRoutes(app, access, deps);
    const { evidence } = deps;
    if (evidence === undefined) return;
    evidenceRoutes(app, access, deps, evidence);
    reportRoutes(app, access, deps, evidence);
    privacyRoutes(app, access, deps, evidence);
  };
}
