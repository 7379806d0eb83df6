/**
 * The line-setting flags shared by `maskinport dnc …` and `maskinport sim dnc`
 * (node:util parseArgs options): the profile and its overrides.
 */
export const LINE_SETTING_FLAGS = {
  profile: { type: "string" },
  baud: { type: "string" },
  "data-bits": { type: "string" },
  parity: { type: "string" },
  "stop-bits": { type: "string" },
  flow: { type: "string" },
} as const;
