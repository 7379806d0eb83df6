// Serial DNC: what the gateway, the web UI and the CLI use. See README.md.
export { dncSectionOf, runDncCli } from "./cli.ts";
export { type DncConfig, type DncConfigInput, dncConfigSchema, endpointFor, profileFor } from "./config.ts";
export {
  DncMachine,
  type DncMachineOptions,
  type ProgramToSend,
  type ReceiveResult,
  type TransferContext,
} from "./engine/dnc-machine.ts";
export type { TransferProgress } from "./engine/progress.ts";
export { type ReceivedProgram, receiveProgram } from "./engine/receive.ts";
export { parseRemoteRequest, type RemoteRequest } from "./engine/remote-request.ts";
export { type SendOptions, sendProgram } from "./engine/send.ts";
export { Transfer, type TransferOutcome } from "./engine/transfer.ts";
export { DNC_ERROR_CODES, DncError, type DncErrorCode } from "./errors.ts";
export { machineFolder, parseFolder, traineeFolder } from "./library/folders.ts";
export { ProgramLibrary, type ProgramVersion, type TransferAudit } from "./library/library.ts";
export {
  allProfiles,
  type DncProfile,
  PROFILE_IDS,
  type ProfileId,
  resolveProfile,
} from "./profiles/index.ts";
export { contentHash } from "./program/text.ts";
export { defaultPacing, xoffBound } from "./transport/flow-control.ts";
export {
  formatValidationMessage,
  type ValidationMessage,
  type ValidationReport,
  validateProgram,
} from "./validate.ts";
