import type { FastifyInstance } from "fastify";
import { validateProgram } from "../../../dnc/validate.ts";
import type { AccessControl } from "../../auth/access.ts";
import { parseBody } from "../../request-body.ts";
import { sendJson } from "../../responses.ts";
import { assertProgramSize, bodyLimitFor, refuseLargeBodies } from "./limits.ts";
import { lineOf } from "./lines.ts";
import type { DncApiDeps } from "./ports.ts";
import { validationView } from "./problems.ts";
import { VALIDATE_BODY } from "./schemas.ts";

/**
 * `POST /api/dnc/validate` `{ machine, fileName, program, mode? }` →
 * `{ ok, errors, warnings, problems: [{ line, column?, severity, code, message }], bytes, lines }`,
 * checked against that machine's controller profile (with its config
 * overrides). Nothing is sent or stored. Any logged-in role.
 */
export function validateRoute(
  app: FastifyInstance,
  access: AccessControl,
  deps: DncApiDeps,
  maxProgramBytes: number,
): void {
  app.post(
    "/api/dnc/validate",
    {
      onRequest: access.requireLogin,
      preParsing: refuseLargeBodies(maxProgramBytes),
      bodyLimit: bodyLimitFor(maxProgramBytes),
    },
    (request, reply) => {
      const body = parseBody(VALIDATE_BODY, request.body);
      assertProgramSize(body.program, maxProgramBytes);
      const { line } = lineOf(deps, body.machine);
      const report = validateProgram(body.program, line.profile, { mode: body.mode ?? "send" });
      return sendJson(reply, 200, {
        machine: body.machine,
        profile: line.profile.id,
        ...validationView(report),
      });
    },
  );
}
