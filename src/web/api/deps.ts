import type { Logger } from "pino";
import type { EvidenceService } from "../../evidence/service.ts";
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
  /** The evidence side; without it the "Evidence" routes are not there (404). */
  evidence?: EvidenceService;
  /** IANA zone for dates in reports. */
  timeZone?: string;
  clock?: () => number;
};
