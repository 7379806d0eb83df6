import type { CurrentSession } from "../../auth/access.ts";
import type { Role } from "../../auth/roles.ts";
import { HttpError } from "../../responses.ts";
import type { CheckInPort } from "./ports.ts";

// Who may do what with a DNC line, beyond "logged in" (the route guards).
// The rules depend on the data (who is checked in where, whose transfer it
// is), so they live here, called by the handlers after the guard.

/** Instructors and admins: may send anywhere, drip-feed, and see and stop anyone's transfer. */
export function isStaff(role: Role): boolean {
  return role === "instructor" || role === "admin";
}

/** A trainee sends only to the machine they are checked in on; only staff drip-feed. */
export function assertMayStart(
  session: CurrentSession,
  machine: string,
  mode: "send" | "drip",
  checkIns: CheckInPort,
): void {
  if (mode === "drip" && !isStaff(session.role)) {
    throw new HttpError(
      403,
      "forbidden",
      "drip-feed is started by an instructor (the machine runs while it receives); send the program instead",
    );
  }
  if (!isStaff(session.role) && !checkIns.isCheckedIn(session.userId, machine)) {
    throw new HttpError(
      403,
      "not_checked_in",
      `you are not checked in on ${machine}; check in on the machine first (scan its QR code or ask an instructor)`,
    );
  }
}

/** Whether this user may start a transfer to `machine` now (for the page; the POST checks again). */
export function mayStart(session: CurrentSession, machine: string, checkIns: CheckInPort): boolean {
  return isStaff(session.role) || checkIns.isCheckedIn(session.userId, machine);
}

/** A transfer is seen and cancelled by whoever started it, and by staff. */
export function assertMayTouch(session: CurrentSession, owner: string): void {
  if (session.userId !== owner && !isStaff(session.role)) {
    throw new HttpError(403, "forbidden", "this transfer was started by someone else");
  }
}
