// A hand-written check of the xAPI 2.0 statement rules (IEEE 9274.1.1-2023,
// "Data" part) for required properties and formats: what an LRS rejects with
// 400. Not checked: attachments' content, signed statements, and rules that
// need the LRS's state (voiding targets, duplicate ids).

export type XapiProblem = { path: string; message: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** RFC 3987 IRI, loosely: a scheme, then no whitespace. */
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
/** RFC 5646 language tag, well-formed shape (not registry-checked). */
const LANG =
  /^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*(?:-x(?:-[A-Za-z0-9]{1,8})+)?$|^x(?:-[A-Za-z0-9]{1,8})+$/;
/** ISO 8601 timestamp with a zone (RFC 3339 profile, which xAPI 2.0 requires). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
/** ISO 8601 duration (P[n]Y[n]M[n]DT[n]H[n]M[n]S or PnW). */
const DURATION =
  /^P(?!$)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$|^P\d+W$/;
const VERSION = /^[12]\.0(?:\.\d+)?$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

class Checker {
  readonly problems: XapiProblem[] = [];
  fail(path: string, message: string): void {
    this.problems.push({ path, message });
  }
  /** Only the listed properties may appear (an LRS rejects unknown ones). */
  keys(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o))
      if (!allowed.includes(k)) this.fail(`${path}.${k}`, "is not a property of this object");
  }
  iri(v: unknown, path: string): void {
    if (typeof v !== "string" || !IRI.test(v)) this.fail(path, "must be an IRI (scheme:…)");
  }
  langMap(v: unknown, path: string): void {
    if (!isObj(v)) {
      this.fail(path, "must be a language map");
      return;
    }
    for (const [k, s] of Object.entries(v)) {
      if (!LANG.test(k)) this.fail(`${path}.${k}`, "key must be an RFC 5646 language tag");
      if (typeof s !== "string") this.fail(`${path}.${k}`, "must be a string");
    }
  }
  extensions(v: unknown, path: string): void {
    if (!isObj(v)) {
      this.fail(path, "must be an object");
      return;
    }
    for (const k of Object.keys(v))
      if (!IRI.test(k)) this.fail(`${path}.${k}`, "extension keys must be IRIs");
  }
  agentOrGroup(v: unknown, path: string): void {
    if (!isObj(v)) {
      this.fail(path, "must be an Agent or Group");
      return;
    }
    const isGroup = v.objectType === "Group";
    if (v.objectType !== undefined && v.objectType !== "Agent" && !isGroup)
      this.fail(`${path}.objectType`, 'must be "Agent" or "Group"');
    this.keys(v, path, [
      "objectType",
      "name",
      "mbox",
      "mbox_sha1sum",
      "openid",
      "account",
      ...(isGroup ? ["member"] : []),
    ]);
    if (v.name !== undefined && typeof v.name !== "string") this.fail(`${path}.name`, "must be a string");
    const ifis = ["mbox", "mbox_sha1sum", "openid", "account"].filter((k) => v[k] !== undefined);
    if (ifis.length > 1)
      this.fail(path, `has ${ifis.length} identifiers (${ifis.join(", ")}); exactly one is allowed`);
    if (ifis.length === 0 && !isGroup)
      this.fail(path, "an Agent needs exactly one identifier: mbox, mbox_sha1sum, openid or account");
    if (ifis.length === 0 && isGroup && !Array.isArray(v.member))
      this.fail(`${path}.member`, "an anonymous Group needs a member list");
    if (v.mbox !== undefined && (typeof v.mbox !== "string" || !/^mailto:[^\s@]+@[^\s@]+$/.test(v.mbox)))
      this.fail(`${path}.mbox`, 'must be a "mailto:" IRI');
    if (
      v.mbox_sha1sum !== undefined &&
      (typeof v.mbox_sha1sum !== "string" || !/^[0-9a-f]{40}$/i.test(v.mbox_sha1sum))
    )
      this.fail(`${path}.mbox_sha1sum`, "must be a SHA-1 hex string");
    if (v.openid !== undefined) this.iri(v.openid, `${path}.openid`);
    if (v.account !== undefined) {
      const a = v.account;
      if (!isObj(a)) this.fail(`${path}.account`, "must be an object");
      else {
        this.keys(a, `${path}.account`, ["homePage", "name"]);
        if (typeof a.homePage !== "string" || !/^https?:\/\/[^\s]+$/.test(a.homePage))
          this.fail(`${path}.account.homePage`, "is required and must be an IRL (http(s)://…)");
        if (typeof a.name !== "string" || a.name === "")
          this.fail(`${path}.account.name`, "is required and must be a non-empty string");
      }
    }
    if (isGroup && v.member !== undefined) {
      if (!Array.isArray(v.member)) this.fail(`${path}.member`, "must be an array of Agents");
      else for (const [i, m] of v.member.entries()) this.agentOrGroup(m, `${path}.member[${i}]`);
    }
  }
  activity(v: unknown, path: string): void {
    if (!isObj(v)) {
      this.fail(path, "must be an Activity");
      return;
    }
    this.keys(v, path, ["objectType", "id", "definition"]);
    if (v.objectType !== undefined && v.objectType !== "Activity")
      this.fail(`${path}.objectType`, 'must be "Activity"');
    this.iri(v.id, `${path}.id`);
    if (v.definition === undefined) return;
    const d = v.definition;
    if (!isObj(d)) {
      this.fail(`${path}.definition`, "must be an object");
      return;
    }
    const dp = `${path}.definition`;
    this.keys(d, dp, [
      "name",
      "description",
      "type",
      "moreInfo",
      "extensions",
      "interactionType",
      "correctResponsesPattern",
      "choices",
      "scale",
      "source",
      "target",
      "steps",
    ]);
    if (d.name !== undefined) this.langMap(d.name, `${dp}.name`);
    if (d.description !== undefined) this.langMap(d.description, `${dp}.description`);
    if (d.type !== undefined) this.iri(d.type, `${dp}.type`);
    if (d.moreInfo !== undefined) this.iri(d.moreInfo, `${dp}.moreInfo`);
    if (d.extensions !== undefined) this.extensions(d.extensions, `${dp}.extensions`);
  }
  object(v: unknown, path: string): void {
    if (!isObj(v)) {
      this.fail(path, "is required");
      return;
    }
    const t = v.objectType ?? "Activity";
    if (t === "Activity") this.activity(v, path);
    else if (t === "Agent" || t === "Group") this.agentOrGroup(v, path);
    else if (t === "StatementRef") {
      this.keys(v, path, ["objectType", "id"]);
      if (typeof v.id !== "string" || !UUID.test(v.id)) this.fail(`${path}.id`, "must be a UUID");
    } else if (t === "SubStatement") {
      for (const k of ["id", "stored", "version", "authority"])
        if (v[k] !== undefined) this.fail(`${path}.${k}`, "is not allowed in a SubStatement");
      if (isObj(v.object) && v.object.objectType === "SubStatement")
        this.fail(`${path}.object`, "a SubStatement cannot nest another");
      this.statementBody(v, path, true);
    } else this.fail(`${path}.objectType`, "must be Activity, Agent, Group, StatementRef or SubStatement");
  }
  result(v: unknown, path: string): void {
    if (!isObj(v)) {
      this.fail(path, "must be an object");
      return;
    }
    this.keys(v, path, ["score", "success", "completion", "response", "duration", "extensions"]);
    if (v.success !== undefined && typeof v.success !== "boolean")
      this.fail(`${path}.success`, "must be true or false");
    if (v.completion !== undefined && typeof v.completion !== "boolean")
      this.fail(`${path}.completion`, "must be true or false");
    if (v.response !== undefined && typeof v.response !== "string")
      this.fail(`${path}.response`, "must be a string");
    if (v.duration !== undefined && (typeof v.duration !== "string" || !DURATION.test(v.duration)))
      this.fail(`${path}.duration`, "must be an ISO 8601 duration (e.g. PT4M30S)");
    if (v.extensions !== undefined) this.extensions(v.extensions, `${path}.extensions`);
    if (v.score !== undefined) {
      const s = v.score;
      if (!isObj(s)) {
        this.fail(`${path}.score`, "must be an object");
        return;
      }
      this.keys(s, `${path}.score`, ["scaled", "raw", "min", "max"]);
      for (const k of ["scaled", "raw", "min", "max"])
        if (s[k] !== undefined && typeof s[k] !== "number")
          this.fail(`${path}.score.${k}`, "must be a number");
      if (typeof s.scaled === "number" && (s.scaled < -1 || s.scaled > 1))
        this.fail(`${path}.score.scaled`, "must be between -1 and 1");
      if (typeof s.raw === "number" && typeof s.min === "number" && s.raw < s.min)
        this.fail(`${path}.score.raw`, "must not be below min");
      if (typeof s.raw === "number" && typeof s.max === "number" && s.raw > s.max)
        this.fail(`${path}.score.raw`, "must not be above max");
    }
  }
  context(v: unknown, path: string, objectIsActivity: boolean): void {
    if (!isObj(v)) {
      this.fail(path, "must be an object");
      return;
    }
    this.keys(v, path, [
      "registration",
      "instructor",
      "team",
      "contextActivities",
      "contextAgents",
      "contextGroups",
      "revision",
      "platform",
      "language",
      "statement",
      "extensions",
    ]);
    if (v.registration !== undefined && (typeof v.registration !== "string" || !UUID.test(v.registration)))
      this.fail(`${path}.registration`, "must be a UUID");
    if (v.instructor !== undefined) this.agentOrGroup(v.instructor, `${path}.instructor`);
    if (v.team !== undefined) {
      if (!isObj(v.team) || v.team.objectType !== "Group") this.fail(`${path}.team`, "must be a Group");
      else this.agentOrGroup(v.team, `${path}.team`);
    }
    if (!objectIsActivity && v.revision !== undefined)
      this.fail(`${path}.revision`, "is only allowed when the object is an Activity");
    if (!objectIsActivity && v.platform !== undefined)
      this.fail(`${path}.platform`, "is only allowed when the object is an Activity");
    if (v.revision !== undefined && typeof v.revision !== "string")
      this.fail(`${path}.revision`, "must be a string");
    if (v.platform !== undefined && typeof v.platform !== "string")
      this.fail(`${path}.platform`, "must be a string");
    if (v.language !== undefined && (typeof v.language !== "string" || !LANG.test(v.language)))
      this.fail(`${path}.language`, "must be an RFC 5646 language tag");
    if (v.statement !== undefined)
      this.object(
        { objectType: "StatementRef", ...(isObj(v.statement) ? v.statement : {}) },
        `${path}.statement`,
      );
    if (v.extensions !== undefined) this.extensions(v.extensions, `${path}.extensions`);
    if (v.contextActivities !== undefined) {
      const ca = v.contextActivities;
      if (!isObj(ca)) {
        this.fail(`${path}.contextActivities`, "must be an object");
        return;
      }
      this.keys(ca, `${path}.contextActivities`, ["parent", "grouping", "category", "other"]);
      for (const [k, list] of Object.entries(ca)) {
        const items = Array.isArray(list) ? list : [list];
        for (const [i, a] of items.entries()) this.activity(a, `${path}.contextActivities.${k}[${i}]`);
      }
    }
  }
  statementBody(s: Obj, path: string, sub: boolean): void {
    const top = [
      "id",
      "actor",
      "verb",
      "object",
      "result",
      "context",
      "timestamp",
      "stored",
      "authority",
      "version",
      "attachments",
    ];
    this.keys(
      s,
      path,
      sub ? ["objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"] : top,
    );
    if (s.actor === undefined) this.fail(`${path}.actor`, "is required");
    else this.agentOrGroup(s.actor, `${path}.actor`);
    if (!isObj(s.verb)) this.fail(`${path}.verb`, "is required");
    else {
      this.keys(s.verb, `${path}.verb`, ["id", "display"]);
      this.iri(s.verb.id, `${path}.verb.id`);
      if (s.verb.display !== undefined) this.langMap(s.verb.display, `${path}.verb.display`);
    }
    if (s.object === undefined) this.fail(`${path}.object`, "is required");
    else this.object(s.object, `${path}.object`);
    if (s.result !== undefined) this.result(s.result, `${path}.result`);
    const objectIsActivity = isObj(s.object) && (s.object.objectType ?? "Activity") === "Activity";
    if (s.context !== undefined) this.context(s.context, `${path}.context`, objectIsActivity);
    if (
      s.timestamp !== undefined &&
      (typeof s.timestamp !== "string" ||
        !TIMESTAMP.test(s.timestamp) ||
        Number.isNaN(Date.parse(s.timestamp)))
    )
      this.fail(`${path}.timestamp`, "must be an ISO 8601 timestamp with a time zone");
  }
}

/** Every problem in one statement; an empty list means an LRS must accept its shape. */
export function validateStatement(statement: unknown): XapiProblem[] {
  const c = new Checker();
  if (!isObj(statement)) return [{ path: "statement", message: "must be a JSON object" }];
  c.statementBody(statement, "statement", false);
  if (statement.id !== undefined && (typeof statement.id !== "string" || !UUID.test(statement.id)))
    c.fail("statement.id", "must be a UUID");
  if (
    statement.stored !== undefined &&
    (typeof statement.stored !== "string" || !TIMESTAMP.test(statement.stored))
  )
    c.fail("statement.stored", "must be an ISO 8601 timestamp");
  if (
    statement.version !== undefined &&
    (typeof statement.version !== "string" || !VERSION.test(statement.version))
  )
    c.fail("statement.version", 'must be "1.0.x" or "2.0.x"');
  if (statement.authority !== undefined) c.agentOrGroup(statement.authority, "statement.authority");
  if (statement.attachments !== undefined && !Array.isArray(statement.attachments))
    c.fail("statement.attachments", "must be an array");
  return c.problems;
}
