// What a route of ours may carry in its fastify `config`. Declared once here
// (fastify's way of typing per-route config) so every route file agrees.

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * `"public"`: anyone may call the route. A route without this must carry
     * an access guard from auth/access.ts; the app refuses to start otherwise.
     */
    access?: "public";
    /** The 405 answers of method-not-allowed.ts; counted as "unmatched" in metrics. */
    wrongMethod?: true;
  }
}

export const PUBLIC_ROUTE = { access: "public" } as const;
