import { describe, expect, it } from "vitest";
import { dncConfigSchema, endpointFor, profileFor } from "../../src/dnc/config.ts";

const problems = (input: unknown) => {
  const r = dncConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("dnc config section", () => {
  it("takes the DESIGN.md examples", () => {
    const serial = dncConfigSchema.parse({
      transport: "serial",
      path: "/dev/ttyUSB0",
      profile: "haas",
      baud: 9600,
    });
    expect(endpointFor(serial)).toEqual({ transport: "serial", path: "/dev/ttyUSB0" });
    const tcp = dncConfigSchema.parse({
      transport: "tcp",
      host: "nport-1.verksted.lan",
      port: 4001,
      profile: "fanuc",
    });
    expect(endpointFor(tcp)).toEqual({ transport: "tcp", host: "nport-1.verksted.lan", port: 4001 });
    expect(
      endpointFor(dncConfigSchema.parse({ transport: "tcp", host: "nport-1", profile: "fanuc" })),
    ).toMatchObject({ port: 4001 });
  });

  it("applies overrides on top of the profile", () => {
    const c = dncConfigSchema.parse({
      transport: "serial",
      path: "/dev/ttyS0",
      profile: "fanuc",
      baud: 4800,
      stopBits: 1,
      flowControl: "rtscts",
      eob: "CRLF",
      stripComments: true,
      memoryBytes: 32_000,
      receiveIdleMs: 5000,
      remoteRequest: { pattern: "\\((?<verb>LOAD) (?<name>O\\d+)\\)" },
    });
    const p = profileFor(c);
    expect(p.line).toEqual({ baud: 4800, dataBits: 7, parity: "even", stopBits: 1 });
    expect(p).toMatchObject({ flowControl: "rtscts", eob: "CRLF", memoryBytes: 32_000 });
    expect(p.comments.strip).toBe(true);
    expect(p.receive.idleTimeoutMs).toBe(5000);
    expect(p.remoteRequest.pattern).toBe("\\((?<verb>LOAD) (?<name>O\\d+)\\)");
    expect(c.remoteRequest).toEqual({
      enabled: true,
      pattern: "\\((?<verb>LOAD) (?<name>O\\d+)\\)",
      folders: ["shared"],
      delayMs: 1000,
    });
  });

  it("says what is wrong, and where", () => {
    expect(problems({ transport: "serial", profile: "fanuc" })).toEqual([
      "path: transport serial needs path, e.g. /dev/ttyUSB0",
    ]);
    expect(problems({ transport: "tcp", profile: "fanuc", path: "/dev/x" })).toEqual([
      "host: transport tcp needs host (and port, default 4001)",
      "path: path belongs to transport serial; tcp uses host and port",
    ]);
    expect(problems({ transport: "usb", path: "/dev/x", profile: "fanuc" })).toEqual([
      "transport: expected transport: serial or tcp",
    ]);
    expect(problems({ transport: "serial", path: "/dev/x", profile: "okuma" })[0]).toMatch(
      /^profile: expected profile: one of fanuc, haas, heidenhain, siemens, generic/,
    );
    expect(problems({ transport: "serial", path: "/dev/x", profile: "fanuc", baud: 9601 })).toEqual([
      "baud: expected one of 110, 300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200",
    ]);
    expect(problems({ transport: "serial", path: "/dev/x", profile: "fanuc", parity: "mark" })[0]).toMatch(
      /^parity: /,
    );
    expect(problems({ transport: "serial", path: "/dev/x", profile: "fanuc", bauds: 9600 })[0]).toMatch(
      /bauds/,
    );
    expect(
      problems({ transport: "serial", path: "/dev/x", profile: "fanuc", remoteRequest: { pattern: "(" } }),
    ).toEqual(["remoteRequest.pattern: expected a valid regular expression"]);
  });
});
