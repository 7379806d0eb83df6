/**
 * One name for a program whether the control reports it ("O0123", "123",
 * "PART") or DNC sent it as a file ("O0123.NC", "progs/part.nc"): folder and
 * extension dropped, upper case, a Fanuc-style O-number reduced to its number.
 * Used to tell whether a cycle ran a program the trainee sent.
 */
export function programKey(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? name)
    .replace(/\.[A-Za-z0-9]{1,4}$/, "")
    .trim()
    .toUpperCase();
  const number = /^O?0*(\d+)$/.exec(base);
  return number ? String(Number(number[1])) : base;
}
