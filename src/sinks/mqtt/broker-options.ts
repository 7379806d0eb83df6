import { readFileSync } from "node:fs";
import { redactUrl as redactUrlOf } from "../../core/url-credentials.ts";

// What the MQTT sink checks and reads from its configuration before mqtt.js
// sees it: the broker URL (credentials never logged) and the TLS files.

/** The URL without user:password, for logs and error messages. */
export function redactUrl(url: string): string {
  return redactUrlOf(url, "MQTT");
}

const BROKER_PROTOCOLS = new Set(["mqtt:", "mqtts:", "tcp:", "ssl:", "tls:", "ws:", "wss:"]);

// mqtt.js quietly falls back to another protocol for an unknown scheme; say so instead.
export function checkBrokerUrl(url: string, redacted: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new Error(
      `invalid mqtt.url ${redacted}: expected a broker URL like mqtt://host:1883 or mqtts://host:8883`,
    );
  }
  if (!BROKER_PROTOCOLS.has(protocol)) {
    throw new Error(
      `invalid mqtt.url ${redacted}: unsupported scheme "${protocol}" (use mqtt://, mqtts://, ws:// or wss://)`,
    );
  }
}

export function readPem(path: string | undefined, what: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new Error(
      `cannot read mqtt.${what} file "${path}" (${code}): give a readable PEM file path in the config (mqtt.${what})`,
    );
  }
}
