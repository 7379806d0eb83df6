// @ts-check
// The upload page's side of the HTTP API: JSON in and out, the session's
// CSRF token on every write, and every failure as an ApiError with the
// server's `error` code (the page translates it) and body.

export class ApiError extends Error {
  /**
   * @param {number} status 0 when the gateway could not be reached
   * @param {string} code the server's `error`, or "offline"
   * @param {string} message
   * @param {Record<string, unknown>} body
   */
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export function createApi() {
  /** @type {string | undefined} */
  let csrfToken;

  /**
   * @param {string} method
   * @param {string} url
   * @param {unknown} [body]
   * @returns {Promise<any>}
   */
  async function call(method, url, body) {
    /** @type {Record<string, string>} */
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && csrfToken !== undefined) headers["X-CSRF-Token"] = csrfToken;
    let res;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch {
      throw new ApiError(0, "offline", "the gateway cannot be reached", {});
    }
    const text = await res.text();
    /** @type {any} */
    let json = {};
    try {
      json = text === "" ? {} : JSON.parse(text);
    } catch {
      json = {};
    }
    if (!res.ok) {
      throw new ApiError(
        res.status,
        String(json.error ?? "failed"),
        String(json.message ?? res.statusText),
        json,
      );
    }
    return json;
  }

  return {
    /** Who is logged in; remembers the CSRF token for writes. */
    async me() {
      const me = await call("GET", "/api/me");
      csrfToken = me.csrfToken;
      return me;
    },
    machines: () => call("GET", "/api/dnc/machines"),
    /** @param {{ machine: string, fileName: string, program: string, mode?: string }} body */
    validate: (body) => call("POST", "/api/dnc/validate", body),
    /** @param {{ machine: string, fileName: string, program: string, mode?: string }} body */
    start: (body) => call("POST", "/api/dnc/transfers", body),
    /** @param {string} id */
    transfer: (id) => call("GET", `/api/dnc/transfers/${encodeURIComponent(id)}`),
    /** @param {string} id */
    cancel: (id) => call("DELETE", `/api/dnc/transfers/${encodeURIComponent(id)}`),
    history: () => call("GET", "/api/dnc/transfers?mine=1&limit=20"),
    library: () => call("GET", "/api/dnc/library"),
    /**
     * One version of one of the user's programs, with its text.
     * @param {string} name
     * @param {string} hash
     */
    version: (name, hash) =>
      call("GET", `/api/dnc/library/${encodeURIComponent(name)}/${encodeURIComponent(hash)}`),
    /** @param {string} id */
    eventsUrl: (id) => `/api/dnc/transfers/${encodeURIComponent(id)}/events`,
  };
}
