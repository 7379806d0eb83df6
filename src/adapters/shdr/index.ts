// The SHDR adapter's public surface (README.md in this folder).
export { keyMapFromConfig, ShdrAdapter, type ShdrAdapterOptions, ShdrConfigError } from "./adapter.ts";
export { SHDR_KEY_TYPES, type ShdrKeyType, type ShdrMonitorConfig, shdrMonitorSchema } from "./config.ts";
export { convertShdrRecord, unavailableReadings } from "./convert.ts";
export { DEFAULT_KEY_RULES, DEFAULT_KEYS } from "./default-keys.ts";
export { ShdrKeyMap, type ShdrKeySpec } from "./key-map.ts";
export { ShdrLineFramer } from "./line-framer.ts";
export { ShdrLineParser, type ShdrRecord } from "./line-parser.ts";
export { ShdrStream, type ShdrStreamCounters } from "./stream.ts";
export { parseShdrTimestamp } from "./timestamp.ts";
