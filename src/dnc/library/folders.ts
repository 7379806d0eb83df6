// Where programs live in the library. Shared programs are the instructors'
// (examples, tasks); each trainee has a folder of their own, keyed by the
// trainee's id or pseudonym (never a name); programs a machine punched land
// in that machine's folder until someone files them.

export type LibraryFolder = "shared" | `trainee/${string}` | `machine/${string}`;

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,99}$/;

export function traineeFolder(traineeId: string): LibraryFolder {
  return parseFolder(`trainee/${traineeId}`);
}

export function machineFolder(machineId: string): LibraryFolder {
  return parseFolder(`machine/${machineId}`);
}

/** Validate a folder string from outside (HTTP, CLI). Throws an Error naming the rule. */
export function parseFolder(folder: string): LibraryFolder {
  if (folder === "shared") return folder;
  const m = /^(trainee|machine)\/(.+)$/.exec(folder);
  if (m && ID.test(m[2]!)) return folder as LibraryFolder;
  throw new Error(
    `bad library folder "${folder}": expected "shared", "trainee/<id>" or "machine/<id>" (id: letters, digits, '-', '_', up to 64)`,
  );
}

/** Validate a program file name: no paths, no control characters. */
export function parseProgramName(name: string): string {
  if (NAME.test(name) && !name.includes("..")) return name;
  throw new Error(
    `bad program name "${name}": use letters, digits, '.', '-', '_' and spaces (up to 100), starting with a letter or digit`,
  );
}
