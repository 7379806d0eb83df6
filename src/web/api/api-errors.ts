import { UserInputError } from "../../training/people/users.ts";
import { StoreConflictError, StoreMissingError } from "../../training/store/types.ts";
import { HttpError } from "../responses.ts";

// The training API's failures in the web layer's one error shape. Services
// throw their own errors (naming a field); these turn them into the 400 /
// 404 / 409 answers of API-CONTRACT.md so that a form can show each problem
// next to its field.

/** 400 `bad_body` for one field, the same shape as parseBody's. */
export function fieldError(field: string, message: string): HttpError {
  return new HttpError(400, "bad_body", `${field}: ${message}`, { issues: [{ field, message }] });
}

export function notFound(what: string, fix: string): HttpError {
  return new HttpError(404, "not_found", `${what}; ${fix}`);
}

export function forbidden(error: string, message: string): HttpError {
  return new HttpError(403, error, message);
}

/**
 * Run a service call, answering its input and conflict errors as HTTP.
 * `fieldOf` maps the service's field name to the body's (e.g. "user" → "userIds").
 */
export async function asHttp<T>(call: () => Promise<T>, fieldOf: Record<string, string> = {}): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof UserInputError) {
      const field = fieldOf[err.field] ?? err.field;
      throw fieldError(field, err.message.slice(err.field.length + 2));
    }
    if (err instanceof StoreConflictError) {
      throw new HttpError(409, "conflict", `${err.field} is already taken; choose another`, {
        field: err.field,
      });
    }
    if (err instanceof StoreMissingError) throw new HttpError(404, "not_found", err.message);
    throw err;
  }
}
