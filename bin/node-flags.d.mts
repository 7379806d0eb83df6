// Types for node-flags.mjs (plain JavaScript, loaded before any TypeScript).
export declare const NODE_FLAGS: readonly string[];
