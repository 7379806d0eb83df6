// The HTTP side of a Learning Record Store (xAPI 2.0, IEEE 9274.1.1): the two
// requests the LRS sink makes and what each answer means for delivery. Kept
// apart from the delivery loop so the loop never reasons about status codes.

export type LrsConnection = {
  /** The LRS's xAPI base, e.g. https://lrs.example.no/xapi/ (`statements` is resolved against it). */
  endpoint: string;
  username: string;
  password: string;
  /** Per request. Default 10 s. */
  requestTimeoutMs?: number;
};

/** What one request's answer means for the statements in it. */
export type LrsOutcome =
  /** 200/204: stored (or already held and equal). */
  | { kind: "stored" }
  /** 409: an id already exists (POST: the LRS may have refused the whole batch). */
  | { kind: "conflict"; status: number; message: string }
  /** 400: the LRS refused the statements as invalid. */
  | { kind: "bad-statements"; status: number; message: string }
  /** 413: too large: split. */
  | { kind: "too-large"; status: number; message: string }
  /** 401/403: credentials or permissions: a configuration problem. */
  | { kind: "auth"; status: number; message: string }
  /** Unreachable, timeout, 429, 5xx, anything else: retry later. */
  | { kind: "transient"; status: number | undefined; message: string };

export const XAPI_VERSION = "2.0.0";

/** The endpoint without credentials, query or fragment, for logs and messages. */
export function redactLrsUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    u.hash = "";
    return u.toString();
  } catch {
    return "<unparseable LRS endpoint>";
  }
}

/** `<endpoint>/statements`, checked once: a bad endpoint is a config error with the key to fix. */
export function statementsUrl(endpoint: string): URL {
  let base: URL;
  try {
    base = new URL(endpoint.endsWith("/") ? endpoint : `${endpoint}/`);
  } catch {
    throw new Error(
      `invalid evidence.xapi.endpoint ${redactLrsUrl(endpoint)}: expected https://lrs.example/xapi/`,
    );
  }
  if (base.protocol !== "http:" && base.protocol !== "https:")
    throw new Error(`invalid evidence.xapi.endpoint: unsupported scheme "${base.protocol}" (use https://)`);
  if (base.username || base.password)
    throw new Error(
      "invalid evidence.xapi.endpoint: credentials belong in evidence.xapi.username / password, not in the URL",
    );
  return new URL("statements", base);
}

/** Status code → meaning. Exported for the table test. */
export function classifyLrsStatus(status: number, message: string): LrsOutcome {
  if (status === 200 || status === 204) return { kind: "stored" };
  if (status === 409) return { kind: "conflict", status, message };
  if (status === 400) return { kind: "bad-statements", status, message };
  if (status === 413) return { kind: "too-large", status, message };
  if (status === 401 || status === 403) return { kind: "auth", status, message };
  return { kind: "transient", status, message };
}

/** One LRS, two requests. Never throws: failures come back as outcomes. */
export class LrsClient {
  readonly url: URL;
  readonly #auth: string;
  readonly #timeoutMs: number;

  constructor(c: LrsConnection) {
    this.url = statementsUrl(c.endpoint);
    this.#auth = `Basic ${Buffer.from(`${c.username}:${c.password}`, "utf8").toString("base64")}`;
    this.#timeoutMs = c.requestTimeoutMs ?? 10_000;
  }

  /** POST an array of statements (the body is the JSON array text as stored in the outbox). */
  post(bodyJsonArray: string): Promise<LrsOutcome> {
    return this.#send("POST", this.url, bodyJsonArray);
  }

  /** PUT one statement under its id: 204 when stored or already held and equal. */
  put(id: string, statementJson: string): Promise<LrsOutcome> {
    const u = new URL(this.url);
    u.searchParams.set("statementId", id);
    return this.#send("PUT", u, statementJson);
  }

  async #send(method: "POST" | "PUT", url: URL, body: string): Promise<LrsOutcome> {
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        body,
        headers: {
          Authorization: this.#auth,
          "Content-Type": "application/json",
          "X-Experience-API-Version": XAPI_VERSION,
        },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const code = e.cause?.code ?? e.name;
      return { kind: "transient", status: undefined, message: `${code}: ${e.message}`.slice(0, 500) };
    }
    // Read the body in every case so the connection can be reused; keep the LRS's words short.
    const text = (await res.text().catch(() => "")).trim().slice(0, 500);
    return classifyLrsStatus(res.status, text || res.statusText);
  }
}
