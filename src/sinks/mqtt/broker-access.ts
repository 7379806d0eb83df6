// Who may do what on the embedded broker: pure rules over topic names, so
// they can be tested without a socket. broker-core.ts asks them from aedes'
// authorizePublish / authorizeSubscribe / authorizeForward hooks.
//
//   role        publish                                subscribe
//   gateway     anything (but $SYS)                    anything
//   readwrite   outside <prefix>/ and $SYS             anything, $SYS included
//   checkin     <prefix>/<machine>/cmd/checkin only,   <prefix>/+/cmd/reply only
//               never retained
//   read        nothing                                anything but $SYS
//   anonymous   nothing                                anything but $SYS (when allowed at all)
//
// Check-in commands carry a reader's token: they are forwarded to the gateway
// only, whoever subscribes to `#`.
import type { BrokerRole } from "./broker-config.ts";

const DOLLAR = 0x24;

export type ClientRole = BrokerRole | "gateway" | "anonymous";

/** MQTT topic levels; `/` separates, an empty level is a level. */
function levels(topic: string): string[] {
  return topic.split("/");
}

/**
 * True when every topic `filter` can match is also matched by `allowed`
 * (both MQTT subscription filters). A wildcard in `filter` is only allowed
 * where `allowed` has one at least as wide.
 */
export function filterWithin(filter: string, allowed: string): boolean {
  const f = levels(filter);
  const a = levels(allowed);
  for (let i = 0; i < a.length; i++) {
    const want = a[i]!;
    if (want === "#") return true;
    const got = f[i];
    if (got === undefined) return false;
    if (want === "+") {
      if (got === "#") return false;
      continue;
    }
    if (got !== want) return false;
  }
  return f.length === a.length;
}

/** The topic rules of one broker: the protected prefix and what each role may do with it. */
export class BrokerAccess {
  readonly prefix: string;
  readonly #prefixSlash: string;
  readonly #replyFilter: string;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.#prefixSlash = `${prefix}/`;
    this.#replyFilter = `${prefix}/+/cmd/reply`;
  }

  /** `<prefix>/<machine>/cmd/checkin`: exactly one machine level. */
  isCheckinCommand(topic: string): boolean {
    // endsWith first: this runs for every delivered message and almost always fails there.
    if (!topic.endsWith("/cmd/checkin") || !topic.startsWith(this.#prefixSlash)) return false;
    const machine = topic.slice(this.#prefixSlash.length, topic.length - "/cmd/checkin".length);
    return machine.length > 0 && !machine.includes("/");
  }

  underPrefix(topic: string): boolean {
    return topic === this.prefix || topic.startsWith(this.#prefixSlash);
  }

  /** Why `role` may not publish on `topic`, or undefined when it may. */
  publishRefusal(role: ClientRole, topic: string, retain: boolean): string | undefined {
    // aedes' own default: $SYS is the broker's (a client publishing there could fake its statistics).
    if (topic.startsWith("$")) return "topics starting with $ belong to the broker";
    switch (role) {
      case "gateway":
        return undefined;
      case "readwrite":
        return this.underPrefix(topic) ? `only the gateway publishes under ${this.prefix}/` : undefined;
      case "checkin":
        if (!this.isCheckinCommand(topic))
          return `a checkin user may publish on ${this.prefix}/+/cmd/checkin only`;
        return retain ? "check-in commands must not be retained" : undefined;
      case "read":
      case "anonymous":
        return "this login may read only";
    }
  }

  /** Whether `role` may subscribe with `filter` (a refused filter gets SUBACK 0x80). */
  maySubscribe(role: ClientRole, filter: string): boolean {
    switch (role) {
      case "gateway":
      case "readwrite":
        return true;
      case "checkin":
        return filterWithin(filter, this.#replyFilter);
      case "read":
      case "anonymous":
        return !filter.startsWith("$");
    }
  }

  /**
   * Whether a message on `topic` goes to a subscriber with `role`. Filters
   * like `#` or `+/+/+/cmd/#` are allowed, so the refusal sits here: the
   * broker's own $SYS topics and check-in commands are not for everyone.
   */
  mayReceive(role: ClientRole, topic: string): boolean {
    if (topic.charCodeAt(0) === DOLLAR) return role === "gateway" || role === "readwrite";
    if (this.isCheckinCommand(topic)) return role === "gateway";
    return true;
  }
}
