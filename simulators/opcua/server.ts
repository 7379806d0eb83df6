// The OPC UA machine simulator: a node-opcua server with the umati companion
// nodesets loaded and one address space per simulated machine, each driven
// by the shared seeded machine model (simulators/model).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  MessageSecurityMode,
  nodesets,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  type UAEventType,
} from "node-opcua";
import { type Logger, pino } from "pino";
import { routeNodeOpcuaLogs } from "../../src/adapters/opcua/node-opcua-log.ts";
import { ModelDriver } from "../model/clock.ts";
import { type MachineKind, MachineModel } from "../model/machine-model.ts";
import { AlarmBoard } from "./alarms.ts";
import { buildCompanionMachine, NS_CNC, NS_MACHINE_TOOL, type SimMachineNodes } from "./companion.ts";
import { SIM_SECURITY_MODES, type SimSecurityMode } from "./config.ts";
import { addLoadVariables } from "./load.ts";
import { buildPlainMachine } from "./plain.ts";

export { SIM_SECURITY_MODES, type SimSecurityMode } from "./config.ts";

export type OpcuaSimulatorOptions = {
  /** 0 = an ephemeral port (tests). Default 4840. */
  port?: number;
  host?: string;
  /** Number of machines: lathe-1, mill-2, lathe-3 … Default 1. */
  machines?: number;
  seed?: number;
  /** Simulated seconds per real second. */
  timeScale?: number;
  /** The server's own certificate and key live here (created on first start). Required: never the home default. */
  pkiDir: string;
  /** username → password; empty or absent means no user accounts. */
  users?: Readonly<Record<string, string>>;
  allowAnonymous?: boolean;
  securityModes?: readonly SimSecurityMode[];
  /** Plain variables in a folder per machine instead of the companion types. */
  plain?: boolean;
  /** Extra Double variables V0000… rewritten every loadPeriodMs (load tests). */
  loadVariables?: number;
  loadPeriodMs?: number;
  /** Items one CreateMonitoredItems call may carry (default 1000, a limit embedded servers commonly set). */
  maxMonitoredItemsPerCall?: number;
  /** false: the machines only do what a script tells them (tests). Default true. */
  autoOperator?: boolean;
  log?: Logger;
};

export type SimMachine = {
  id: string;
  kind: MachineKind;
  model: MachineModel;
  driver: ModelDriver;
  /** Apply scripted model actions now instead of at the next driver tick. */
  flush(): void;
};

export type OpcuaSimulator = {
  endpoint: string;
  port: number;
  /** Index of the simulator's own namespace (plain node ids: ns=<index>;s=lathe-1.spindle.speed). */
  namespaceIndex: number;
  machines: SimMachine[];
  loadNodeIds: string[];
  /** The server's certificate (PEM file) and its SHA-1 thumbprint, as a client would see them. */
  certificateFile: string;
  /** Client sessions open on the server right now (tests: machines on one server share one). */
  sessionCount(): number;
  close(): Promise<void>;
};

const COMPANION_NODESETS = [
  nodesets.standard,
  nodesets.di,
  nodesets.ia,
  nodesets.machinery,
  nodesets.isa95JobControl,
  nodesets.machineryJobs,
  nodesets.machineTool,
  nodesets.cnc,
];

export function machineIdentity(i: number): { id: string; kind: MachineKind } {
  const kind: MachineKind = i % 2 === 1 ? "lathe" : "mill";
  return { id: `${kind}-${i}`, kind };
}

export async function startOpcuaSimulator(options: OpcuaSimulatorOptions): Promise<OpcuaSimulator> {
  const log = options.log ?? pino({ level: "silent" });
  routeNodeOpcuaLogs(log);
  const modes = options.securityModes ?? SIM_SECURITY_MODES;
  if (modes.length === 0) throw new Error("opcua simulator: securityModes must name at least one mode");
  const users = options.users ?? {};
  const serverCertificateManager = new OPCUACertificateManager({
    rootFolder: options.pkiDir,
    // A simulator is a test bench: it accepts every client certificate.
    automaticallyAcceptUnknownCertificate: true,
    disableFileWatchers: true,
  });
  const host = options.host ?? "127.0.0.1";
  const server = new OPCUAServer({
    port: options.port ?? 4840,
    // `host` is where the socket listens; `hostname` only names the server in its endpoint URLs.
    // Without `host` node-opcua listens on every interface, whatever `hostname` says.
    host,
    hostname: host,
    nodeset_filename: options.plain ? [nodesets.standard] : COMPANION_NODESETS,
    serverCertificateManager,
    serverInfo: {
      applicationName: { text: "Maskinport OPC UA simulator" },
      applicationUri: "urn:maskinport:opcua-simulator",
      productUri: "urn:maskinport:opcua-simulator",
    },
    buildInfo: { productName: "Maskinport OPC UA simulator", manufacturerName: "Maskinport" },
    securityModes: modes.map((m) => MessageSecurityMode[m]),
    securityPolicies: modes.some((m) => m !== "None")
      ? [...(modes.includes("None") ? [SecurityPolicy.None] : []), SecurityPolicy.Basic256Sha256]
      : [SecurityPolicy.None],
    allowAnonymous: options.allowAnonymous ?? true,
    serverCapabilities: {
      operationLimits: { maxMonitoredItemsPerCall: options.maxMonitoredItemsPerCall ?? 1000 },
    },
    userManager: {
      isValidUser: (user: string, password: string) => users[user] !== undefined && users[user] === password,
    },
  });
  await server.initialize();

  const addressSpace = server.engine.addressSpace;
  if (!addressSpace) throw new Error("opcua simulator: the server has no address space after initialize()");
  // Binds ConditionRefresh, Acknowledge … (without it a client's ConditionRefresh fails).
  addressSpace.installAlarmsAndConditionsService();
  const own = addressSpace.getOwnNamespace();
  const eventType = (nsUri: string | null, name: string): UAEventType => {
    const type = addressSpace.findEventType(name, nsUri ? addressSpace.getNamespaceIndex(nsUri) : 0);
    if (!type) throw new Error(`opcua simulator: event type ${name} is not loaded`);
    return type;
  };

  const seed = options.seed ?? 1;
  const machines: SimMachine[] = [];
  for (let i = 1; i <= (options.machines ?? 1); i++) {
    const { id, kind } = machineIdentity(i);
    const nodes: SimMachineNodes = options.plain
      ? buildPlainMachine(own, id)
      : buildCompanionMachine(addressSpace, own, { id, kind, serial: `SIM-${seed}-${i}` });
    const alarms = new AlarmBoard({
      addressSpace,
      namespace: own,
      source: nodes.conditionSource,
      messageSource: nodes.messageSource,
      conditionType: options.plain
        ? eventType(null, "AlarmConditionType")
        : eventType(NS_CNC, "CncAlarmType"),
      messageType: options.plain
        ? eventType(null, "BaseEventType")
        : eventType(NS_MACHINE_TOOL, "NotificationEventType"),
      codeProperty: options.plain ? undefined : "AlarmIdentifier",
    });
    const model = new MachineModel({ id, kind, seed, autoOperator: options.autoOperator ?? true });
    const driver = new ModelDriver(model, {
      timeScale: options.timeScale ?? 1,
      onChange: (change, state) => {
        const ts = new Date();
        nodes.render(state, change, ts);
        if (change.alarms) alarms.sync(state.alarms, ts);
        if ("message" in change) alarms.message(state.message, ts);
      },
    });
    const initial = driver.state;
    nodes.render(initial, initial, new Date());
    alarms.sync(initial.alarms, new Date());
    driver.start();
    machines.push({ id, kind, model, driver, flush: () => void driver.poll() });
  }
  const load = addLoadVariables(own, options.loadVariables ?? 0, options.loadPeriodMs ?? 100);

  await server.start();
  const port = server.endpoints[0]?.port ?? options.port ?? 4840;
  const endpoint = `opc.tcp://${host}:${port}`;
  const certificateFile = join(options.pkiDir, "own", "certs", "certificate.pem");
  log.info(
    { endpoint, machines: machines.map((m) => m.id), plain: !!options.plain, modes },
    "opcua simulator listening",
  );
  let closed = false;
  return {
    endpoint,
    port,
    namespaceIndex: own.index,
    machines,
    loadNodeIds: load.nodeIds,
    certificateFile,
    sessionCount: () => server.currentSessionCount,
    async close() {
      if (closed) return;
      closed = true;
      load.stop();
      for (const m of machines) m.driver.stop();
      await server.shutdown(0);
      await serverCertificateManager.dispose();
      log.info({ endpoint }, "opcua simulator stopped");
    },
  };
}

/** The simulator certificate as PEM text (tests trust it by file). */
export function readCertificate(sim: OpcuaSimulator): string {
  return readFileSync(sim.certificateFile, "utf8");
}
