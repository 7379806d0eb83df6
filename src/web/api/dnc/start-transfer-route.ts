import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { traineeFolder } from "../../../dnc/library/folders.ts";
import { buildSendPayload } from "../../../dnc/program/payload.ts";
import { validateProgram } from "../../../dnc/validate.ts";
import type { AccessControl, CurrentSession } from "../../auth/access.ts";
import { parseBody } from "../../request-body.ts";
import { HttpError, sendJson } from "../../responses.ts";
import { assertMayStart } from "./access-rules.ts";
import { assertProgramSize, bodyLimitFor, refuseLargeBodies } from "./limits.ts";
import { lineOf } from "./lines.ts";
import type { DncApiDeps } from "./ports.ts";
import { validationView } from "./problems.ts";
import { TRANSFER_BODY, type TransferBody } from "./schemas.ts";
import type { WebTransfers } from "./transfer-registry.ts";

/**
 * `POST /api/dnc/transfers` `{ machine, fileName, program, mode? }` → 202
 * `{ transfer: { id, machine, fileName, mode, bytes, lines, state } }` and a
 * Location to follow. In order: who may (403), which line (404), is the
 * program valid for that control (400 with the problems, nothing sent), is
 * the line free (409). Then the program is kept in the user's library
 * folder and handed to the gateway's DncMachine for that line, which audits
 * it and emits the `program.transfer` event when it ends.
 */
export function startTransferRoute(
  app: FastifyInstance,
  access: AccessControl,
  deps: DncApiDeps,
  options: { transfers: WebTransfers; maxProgramBytes: number; log: Logger },
): void {
  const { transfers, maxProgramBytes, log } = options;
  app.post(
    "/api/dnc/transfers",
    {
      onRequest: access.requireRole("trainee", "instructor", "admin"),
      preParsing: refuseLargeBodies(maxProgramBytes),
      bodyLimit: bodyLimitFor(maxProgramBytes),
    },
    (request, reply) => {
      const session = access.sessionOf(request);
      const body = parseBody(TRANSFER_BODY, request.body);
      assertProgramSize(body.program, maxProgramBytes);
      const entry = lineOf(deps, body.machine);
      assertMayStart(session, body.machine, body.mode, deps.checkIns);
      const { line } = entry;

      const report = validateProgram(body.program, line.profile, { mode: body.mode });
      if (!report.ok) {
        throw new HttpError(
          400,
          "invalid_program",
          `${body.fileName} is not valid for ${line.profile.name} (${report.errors} error${report.errors === 1 ? "" : "s"}); nothing was sent`,
          validationView(report),
        );
      }
      // From here to send() nothing awaits: no other request can take the line in between.
      if (line.busy) {
        throw new HttpError(
          409,
          "line_busy",
          `${body.machine} is busy with another transfer; wait for it to finish, or ask whoever started it to cancel`,
        );
      }
      const folder = keepInLibrary(deps, session, body, log);
      const payload = buildSendPayload(body.program, line.profile);
      const checkedIn = deps.checkIns.isCheckedIn(session.userId, body.machine);
      const pseudonym = checkedIn ? deps.checkIns.pseudonymOf?.(session.userId) : undefined;
      const program = { text: body.program, file: body.fileName, ...(folder ? { folder } : {}) };
      const context = { user: session.userId, ...(pseudonym ? { session: pseudonym } : {}) };
      const handle = body.mode === "drip" ? line.drip(program, context) : line.send(program, context);
      const view = transfers.track(handle, {
        machine: body.machine,
        fileName: body.fileName,
        mode: body.mode,
        owner: session.userId,
        bytesTotal: payload.bytes.length,
        linesTotal: payload.lines.length,
      });
      log.info(
        {
          transfer: view.id,
          machine: body.machine,
          mode: body.mode,
          bytes: view.bytesTotal,
          user: session.userId,
        },
        "dnc transfer started from the web",
      );
      return sendJson(
        reply,
        202,
        {
          transfer: {
            id: view.id,
            machine: view.machine,
            fileName: view.fileName,
            mode: view.mode,
            bytes: view.bytesTotal,
            lines: view.linesTotal,
            state: view.state,
          },
        },
        { Location: `/api/dnc/transfers/${view.id}` },
      );
    },
  );
}

/**
 * Every upload becomes a version in the user's folder (unchanged content
 * adds nothing), so "my programs" shows what was sent. A library that cannot
 * store it must not stop the machine getting its program: logged, and the
 * transfer's audit then names no folder.
 */
function keepInLibrary(
  deps: DncApiDeps,
  session: CurrentSession,
  body: TransferBody,
  log: Logger,
): string | undefined {
  try {
    const folder = traineeFolder(session.userId);
    deps.library.save({
      folder,
      name: body.fileName,
      content: body.program,
      by: session.userId,
      source: "upload",
    });
    return folder;
  } catch (err) {
    log.warn({ err, user: session.userId }, "dnc upload not kept in the program library");
    return undefined;
  }
}
