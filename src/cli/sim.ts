// `maskinport sim <protocol> …`: run one simulator in the foreground.
const SIMULATORS: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  shdr: async () => (await import("../../simulators/shdr/cli.ts")).runShdrSimulatorCli,
  mtconnect: async () => (await import("../../simulators/mtconnect/cli.ts")).runMtconnectSimulatorCli,
  opcua: async () => (await import("../../simulators/opcua/cli.ts")).runOpcuaSimulatorCli,
  dnc: async () => (await import("../../simulators/dnc/cli.ts")).runDncSimulatorCli,
};

export async function simCli(argv: string[]): Promise<number> {
  const [kind, ...rest] = argv;
  const load = kind ? SIMULATORS[kind] : undefined;
  if (!load) {
    console.error(
      `Usage: maskinport sim <${Object.keys(SIMULATORS).join("|")}> [options]   (--help for options)`,
    );
    return 2;
  }
  return (await load())(rest);
}
