import type { ApiRoutes } from "../app.ts";
import { courseRoutes } from "./course-routes.ts";
import type { TrainingApiDeps } from "./deps.ts";
import { sessionRoutes } from "./session-routes.ts";
import { userRoutes } from "./user-routes.ts";

export type { TrainingApiDeps } from "./deps.ts";

/** The "People and sessions" routes of API-CONTRACT.md, for `createWebApp({ apiRoutes })`. */
export function trainingApi(deps: TrainingApiDeps): ApiRoutes {
  return (app, access) => {
    sessionRoutes(app, access, deps);
    userRoutes(app, access, deps);
    courseRoutes(app, access, deps);
  };
}
