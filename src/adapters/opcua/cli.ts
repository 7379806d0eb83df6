// `maskinport opcua …`: manage the OPC UA adapter's trust list.
//   maskinport opcua list  [--pki DIR]
//   maskinport opcua trust <thumbprint|file> [--pki DIR]
import { parseArgs } from "node:util";
import { listCertificates, TrustError, trustCertificate } from "./pki.ts";

const USAGE = `Usage:
  maskinport opcua list [--pki DIR]                      trusted and rejected server certificates
  maskinport opcua trust <thumbprint|file> [--pki DIR]   trust a rejected server certificate (by thumbprint,
                                                         as the gateway's log shows it) or a certificate file
  --pki DIR   the adapter's PKI folder (monitor.pkiDir; default data/opcua-pki)`;

export async function runOpcuaCli(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const pkiDir = values.pki ?? "data/opcua-pki";
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (command === "list" && rest.length === 0) {
    const { trusted, rejected } = listCertificates(pkiDir);
    const show = (title: string, list: typeof trusted) => {
      console.log(`${title} (${list.length}):`);
      for (const c of list) console.log(`  ${c.thumbprint}  ${c.subject}  valid to ${c.validTo}`);
    };
    show("trusted", trusted);
    show("rejected", rejected);
    return 0;
  }
  if (command === "trust" && rest.length === 1) {
    try {
      const info = trustCertificate(pkiDir, rest[0]!);
      console.log(`trusted ${info.thumbprint} (${info.subject}) → ${info.file}`);
      console.log("the gateway uses it at its next connection attempt");
      return 0;
    } catch (err) {
      if (err instanceof TrustError) {
        console.error(`maskinport opcua trust: ${err.message}`);
        return 1;
      }
      throw err;
    }
  }
  console.error(`maskinport opcua: unknown command "${positionals.join(" ")}"\n\n${USAGE}`);
  return 2;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { pki: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
}
