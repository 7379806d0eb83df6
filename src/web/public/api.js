// The page's calls to the gateway's JSON API: who is logged in (GET /api/me,
// which also hands out the CSRF token) and writes that carry that token.
// Every answer comes back as { ok, status, body }, never as an exception for
// an HTTP error, so callers handle 401/403/409 as ordinary outcomes.

/** @typedef {{ userId: string, role: "trainee" | "instructor" | "admin", displayName?: string | null, csrfToken: string, csrfHeader?: string }} Me */
/** @typedef {{ ok: boolean, status: number, body: any }} ApiAnswer */

/** @type {Promise<Me | null> | null} */
let mePromise = null;

/**
 * @param {string} path
 * @returns {Promise<ApiAnswer>}
 */
export async function getJson(path) {
  return answer(await fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin" }));
}

/** The logged-in user, or null (asked once per page load). */
export function currentUser() {
  mePromise ??= getJson("/api/me").then((a) => (a.ok ? /** @type {Me} */ (a.body) : null));
  return mePromise;
}

/**
 * A JSON write with the session's CSRF token (POST, or `method`).
 * @param {string} path
 * @param {unknown} body
 * @param {string} [method]
 * @returns {Promise<ApiAnswer>}
 */
export async function sendJson(path, body, method = "POST") {
  const me = await currentUser();
  /** @type {Record<string, string>} */
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (me) headers[me.csrfHeader ?? "X-CSRF-Token"] = me.csrfToken;
  return answer(
    await fetch(path, { method, headers, body: JSON.stringify(body ?? {}), credentials: "same-origin" }),
  );
}

/**
 * @param {Response} response
 * @returns {Promise<ApiAnswer>}
 */
async function answer(response) {
  let body = null;
  if (response.status !== 204) {
    try {
      body = await response.json();
    } catch {
      body = null;
    }
  }
  return { ok: response.ok, status: response.status, body };
}

/**
 * Where to go after logging in: only a path on this gateway, so a crafted
 * `?next=https://elsewhere` link can never send anyone off-site.
 * @param {string} search location.search
 */
export function safeNext(search) {
  const next = new URLSearchParams(search).get("next");
  if (next === null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}

/** The login page, coming back here afterwards. */
export function loginUrl() {
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}
