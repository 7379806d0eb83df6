// The adapter's PKI folder (node-opcua layout): own/ holds our application
// certificate and key (created on first connect), trusted/certs the server
// certificates a person has trusted, rejected/ the ones seen and refused.
// Server certificates are never trusted automatically (DESIGN.md).
import { X509Certificate } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { basename, join } from "node:path";
import { OPCUACertificateManager } from "node-opcua-certificate-manager";

export function pkiFolders(pkiDir: string) {
  return {
    own: join(pkiDir, "own", "certs"),
    trusted: join(pkiDir, "trusted", "certs"),
    rejected: join(pkiDir, "rejected"),
  };
}

/**
 * A certificate manager for one connection attempt. A fresh one per attempt
 * re-reads the folders, so a certificate trusted with `maskinport opcua
 * trust` while the gateway runs is honoured at the next retry (the manager
 * caches what it has read, and file watchers are off to save handles).
 */
export async function openCertificateManager(pkiDir: string): Promise<OPCUACertificateManager> {
  const manager = new OPCUACertificateManager({
    rootFolder: pkiDir,
    automaticallyAcceptUnknownCertificate: false,
    disableFileWatchers: true,
  });
  await manager.initialize();
  return manager;
}

export type CertificateInfo = {
  file: string;
  /** SHA-1 thumbprint, lowercase hex without separators (what OPC UA tools show). */
  thumbprint: string;
  subject: string;
  validTo: string;
};

/** Read a PEM or DER certificate file. */
export function readCertificateFile(file: string): CertificateInfo {
  const cert = new X509Certificate(readFileSync(file));
  return {
    file,
    thumbprint: cert.fingerprint.replaceAll(":", "").toLowerCase(),
    subject: cert.subject.replaceAll("\n", ", "),
    validTo: cert.validTo,
  };
}

function listFolder(folder: string): CertificateInfo[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => /\.(pem|der|crt)$/i.test(f))
    .flatMap((f) => {
      try {
        return [readCertificateFile(join(folder, f))];
      } catch {
        return [];
      }
    });
}

export function listCertificates(pkiDir: string): {
  trusted: CertificateInfo[];
  rejected: CertificateInfo[];
} {
  const f = pkiFolders(pkiDir);
  return { trusted: listFolder(f.trusted), rejected: listFolder(f.rejected) };
}

export class TrustError extends Error {
  override name = "TrustError";
}

/**
 * Trust a server certificate: a thumbprint (or a unique prefix of at least 8
 * characters) of a certificate in rejected/, which is moved to trusted/certs;
 * or a certificate file, which is copied there.
 */
export function trustCertificate(pkiDir: string, what: string): CertificateInfo {
  const f = pkiFolders(pkiDir);
  mkdirSync(f.trusted, { recursive: true });
  if (existsSync(what)) {
    let info: CertificateInfo;
    try {
      info = readCertificateFile(what);
    } catch (err) {
      throw new TrustError(`${what} is not a certificate file (PEM or DER): ${(err as Error).message}`);
    }
    const target = join(f.trusted, basename(what).replace(/\.(crt|cer)$/i, ".pem"));
    copyFileSync(what, target);
    return { ...info, file: target };
  }
  const wanted = what.replaceAll(":", "").toLowerCase();
  if (!/^[0-9a-f]{8,40}$/.test(wanted)) {
    throw new TrustError(
      `"${what}" is neither an existing file nor a certificate thumbprint (hex, at least 8 characters)`,
    );
  }
  const rejected = listFolder(f.rejected);
  const matches = rejected.filter((c) => c.thumbprint.startsWith(wanted));
  if (matches.length === 0) {
    const known = rejected.map((c) => `${c.thumbprint} (${c.subject})`).join("; ");
    throw new TrustError(
      `no rejected certificate has thumbprint ${wanted} in ${f.rejected}` +
        (known ? `; rejected: ${known}` : "; none rejected yet"),
    );
  }
  if (matches.length > 1)
    throw new TrustError(
      `thumbprint prefix ${wanted} matches ${matches.length} certificates; give more characters`,
    );
  const match = matches[0]!;
  const target = join(f.trusted, basename(match.file));
  renameSync(match.file, target);
  return { ...match, file: target };
}
