import type { IncomingMessage, ServerResponse } from "node:http";

export type RouteContext = {
  req: IncomingMessage;
  res: ServerResponse;
  /** The query string, already split; the path is matched by the router. */
  query: URLSearchParams;
  params: Readonly<Record<string, string>>;
};

export type RouteHandler = (ctx: RouteContext) => void | Promise<void>;

/** Only reads exist today; a route for GET also answers HEAD (node:http drops the body). */
export type Route = { method: "GET"; path: string; handle: RouteHandler };

export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "method-not-allowed"; allow: string[] }
  | { kind: "not-found" }
  | { kind: "bad-path"; message: string };

type CompiledRoute = { route: Route; segments: string[] };

/**
 * A route table small enough to read at a glance. Paths are literal segments
 * or `:name` parameters; no wildcards, no regexes, so there is exactly one way
 * a URL can match and 404 / 405 fall out of the same walk.
 */
export function createRouter(routes: readonly Route[]): {
  match(method: string, pathname: string): RouteMatch;
} {
  const compiled: CompiledRoute[] = routes.map((route) => ({ route, segments: splitPath(route.path) }));

  return {
    match(method, pathname) {
      const segments = splitPath(pathname);
      const allow = new Set<string>();
      for (const { route, segments: pattern } of compiled) {
        const params = matchSegments(pattern, segments);
        if (params === undefined) continue;
        if (params instanceof Error) return { kind: "bad-path", message: params.message };
        if (route.method === method || (method === "HEAD" && route.method === "GET")) {
          return { kind: "found", route, params };
        }
        allow.add(route.method);
        if (route.method === "GET") allow.add("HEAD");
      }
      return allow.size > 0 ? { kind: "method-not-allowed", allow: [...allow] } : { kind: "not-found" };
    },
  };
}

function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | Error | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const segment = actual[i]!;
    if (expected.startsWith(":")) {
      try {
        params[expected.slice(1)] = decodeURIComponent(segment);
      } catch {
        return new Error(`path segment "${segment}" is not valid percent-encoding`);
      }
    } else if (expected !== segment) {
      return undefined;
    }
  }
  return params;
}
