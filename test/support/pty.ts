// Pseudo-terminal pairs for serial tests (socat). The implementation lives with
// the DNC simulator, which also needs it for `maskinport sim dnc --pty`.
export { createPtyPair, type PtyPair } from "../../simulators/dnc/pty-pair.ts";
