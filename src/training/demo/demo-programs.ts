// The programs the demo's trainees "send by DNC" when they check in on a
// machine that has a DNC line: short, plausible, written for this demo. Their
// O-numbers are ones the simulated machines run (simulators/model/programs.ts),
// so a cycle of that program after the transfer counts as "a program the
// trainee sent" for the competence rules.

export type DemoProgram = { file: string; text: string };

const LATHE = `%
O1001 (DEMO FLENS OP1)
(T1 GROVBEARBEIDING)
G21 G40 G99
G28 U0. W0.
T0101
G50 S2500
G96 S200 M03
G00 X130. Z2. M08
G01 X-1.6 F0.2
G00 Z4.
X120.
G01 Z-30. F0.25
X124.
G00 Z2.
G28 U0. W0. M09
M30
%
`;

const MILL = `%
O02001 (DEMO LOMME)
T4 M06 (PINNEFRES D12)
G90 G54 G17 G40 G80
S6500 M03
G00 X-10. Y-10.
G43 H04 Z25. M08
G01 Z-4. F300.
X110. F800.
Y90.
X-10.
Y-10.
G00 Z25. M09
G28 G91 Z0.
M30
%
`;

/** The demo program for a machine kind (turn-mill machines get the lathe one). */
export function demoProgramFor(kind: string): DemoProgram {
  return kind === "mill" ? { file: "O2001.NC", text: MILL } : { file: "O1001.NC", text: LATHE };
}
