// A Learning Record Store small enough to live in a test, on loopback: it
// checks what a real LRS checks on the way in (version header, basic auth,
// each statement against src/evidence's xAPI 2.0 validator) and stores
// statements by id. A POST holding an id it already has is refused whole
// with 409, as Learning Locker does; a PUT of an equal statement is 204.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { isDeepStrictEqual } from "node:util";
import { validateStatement } from "../../../src/evidence/xapi/validate.ts";

export type LrsMode = "up" | "503";

export class TestLrs {
  /** Stored statements by id. */
  readonly statements = new Map<string, Record<string, unknown>>();
  /** How many times each id was stored (must stay 1). */
  readonly storedTimes = new Map<string, number>();
  readonly requests: { method: string; status: number; count: number }[] = [];
  /** Ids the LRS refuses as invalid (to exercise the dead-letter path). */
  readonly refuse = new Set<string>();
  mode: LrsMode = "up";
  readonly username: string;
  readonly password: string;
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  port = 0;

  constructor(credentials = { username: "lrs-key", password: "lrs-secret-Ωpassword" }) {
    this.username = credentials.username;
    this.password = credentials.password;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}/xapi/`;
  }

  /** Listen (again on the same port after close(), so the sender finds it where it was). */
  async listen(): Promise<void> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.on("connection", (s) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Gone from the network: connections refused until listen() again. */
  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    for (const sock of this.#sockets) sock.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const answer = (status: number, json?: unknown, count = 0) => {
      this.requests.push({ method: req.method ?? "?", status, count });
      res.writeHead(status, json === undefined ? {} : { "Content-Type": "application/json" });
      res.end(json === undefined ? undefined : JSON.stringify(json));
    };
    if (this.mode === "503") return answer(503, { error: "maintenance" });
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== "/xapi/statements") return answer(404, { error: "no such resource" });
    if (req.headers["x-experience-api-version"] !== "2.0.0")
      return answer(400, { error: "X-Experience-API-Version 2.0.0 required" });
    const expected = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString("base64")}`;
    if (req.headers.authorization !== expected) return answer(401, { error: "unauthorised" });
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return answer(400, { error: "body is not JSON" });
    }
    const list = (req.method === "PUT" ? [parsed] : Array.isArray(parsed) ? parsed : [parsed]) as Record<
      string,
      unknown
    >[];
    for (const s of list) {
      const problems = validateStatement(s);
      if (problems.length > 0 || this.refuse.has(String(s.id)))
        return answer(400, { error: `invalid statement ${String(s.id)}`, problems });
    }
    if (req.method === "PUT") {
      const id = url.searchParams.get("statementId");
      const s = list[0]!;
      if (!id || id !== s.id) return answer(400, { error: "statementId must match the statement's id" });
      const held = this.statements.get(id);
      if (held) return answer(isDeepStrictEqual(held, s) ? 204 : 409, undefined, 0);
      this.#store(s);
      return answer(204, undefined, 1);
    }
    if (req.method !== "POST") return answer(405, { error: "method" });
    if (list.some((s) => this.statements.has(String(s.id))))
      return answer(409, { error: "statement id already exists" });
    for (const s of list) this.#store(s);
    return answer(
      200,
      list.map((s) => s.id),
      list.length,
    );
  }

  #store(s: Record<string, unknown>): void {
    const id = String(s.id);
    this.statements.set(id, s);
    this.storedTimes.set(id, (this.storedTimes.get(id) ?? 0) + 1);
  }
}
