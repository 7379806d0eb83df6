import { setErrorLogger, setWarningLogger } from "node-opcua-client";
import type { Logger } from "pino";

let routed: Logger | null = null;

/**
 * node-opcua prints its warnings and errors straight to the console, many
 * lines per event (certificate dumps, hex traces). Route them into our
 * structured log at debug level instead: the adapter logs its own one-line
 * summary of what went wrong. node-opcua's loggers are process-wide, so the
 * first caller's logger wins; later calls are no-ops.
 */
export function routeNodeOpcuaLogs(log: Logger): void {
  if (routed) return;
  routed = log.child({ component: "node-opcua" });
  const target = routed;
  const print = (...args: unknown[]) => {
    if (!target.isLevelEnabled("debug")) return;
    target.debug(args.map((a) => (typeof a === "string" ? a : String(a))).join(" "));
  };
  setWarningLogger(print);
  setErrorLogger(print);
}
