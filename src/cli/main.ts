// The `maskinport` command: one dispatcher, each subcommand lives with the
// code it drives (simulators/, src/dnc/, src/adapters/opcua/…) and is loaded
// lazily so that `check-config` does not pay for node-opcua's start-up.
import { readFileSync } from "node:fs";

const USAGE = `maskinport — shop-floor machine connectivity gateway

Usage:
  maskinport run [--config FILE]          start the gateway (default config/demo.yaml)
  maskinport check-config FILE            validate a configuration file; prints "ok" or the problems
  maskinport sim shdr --port P [--machines N] [--replay FILE --speed X]
                                          SHDR adapter simulator (one port per machine from P)
  maskinport sim mtconnect --port P [--machines N]
                                          MTConnect agent simulator (probe/current/sample)
  maskinport sim opcua --port P [--machines N] [--plain]
                                          OPC UA server with the MachineTool + CNC companion model
  maskinport sim dnc --tcp PORT | --pty --profile fanuc
                                          DNC machine on raw TCP or a pseudo-terminal
  maskinport dnc send|receive|drip|validate …
                                          program transfer to a machine (--machine ID --config FILE)
  maskinport opcua list|trust <thumbprint|file> [--pki DIR]
                                          OPC UA certificates: list rejected ones, trust a server
  maskinport evidence verify|export …     check the evidence chain; export xAPI statements
  maskinport privacy sheet [--lang nb|en] the § 9-2 information sheet from the config
  maskinport users add|list|disable|enable|reset-password|import …
                                          trainees, instructors and admins (training store)
  maskinport courses add|list|enrol …     courses (cohorts) and who is in them
  maskinport trainees export|erase USER   one person's data as JSON; erase it (GDPR)
  maskinport version                      print the version

Run \`maskinport <command> --help\` for a command's options.`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  run: async (argv) => (await import("../gateway/main.ts")).runGatewayCli(argv),
  "check-config": async (argv) => (await import("./check-config.ts")).checkConfigCli(argv),
  sim: async (argv) => (await import("./sim.ts")).simCli(argv),
  opcua: async (argv) => (await import("../adapters/opcua/cli.ts")).runOpcuaCli(argv),
  dnc: async (argv) => (await import("../dnc/cli.ts")).runDncCli(argv),
  evidence: async (argv) => (await import("./evidence.ts")).runEvidenceCli(argv),
  privacy: async (argv) => (await import("./privacy.ts")).runPrivacyCli(argv),
  users: async (argv) => (await import("./users.ts")).usersCli(argv),
  courses: async (argv) => (await import("./courses.ts")).coursesCli(argv),
  trainees: async (argv) => (await import("./trainees.ts")).traineesCli(argv),
  version: async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    console.log(pkg.version);
    return 0;
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(USAGE);
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(`maskinport: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return command(rest);
}

const code = await main(process.argv.slice(2));
// Long-running commands (run, sim) resolve only when they have shut down.
process.exitCode = code;
