import type { Logger } from "pino";
import type { CourseService } from "../../training/people/courses.ts";
import type { UserService } from "../../training/people/users.ts";
import type { SessionService } from "../../training/sessions/sessions.ts";

/** What the training API needs from the training layer and the gateway. */
export type TrainingApiDeps = {
  users: UserService;
  courses: CourseService;
  sessions: SessionService;
  /** The machines of this gateway (config ids): check-in on anything else is 404. */
  machineIds(): readonly string[];
  log: Logger;
};
