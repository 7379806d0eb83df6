// Every string the live page shows, in Norwegian bokmål (the default: the
// school's language) and English. The server embeds this dictionary in the
// page, and the browser picks a language with the nb/en toggle. `{name}`
// marks a value the page fills in.
//
// Add a key to `nb` first; TypeScript then insists on the English one. The
// live wall's strings are here; names of kinds, states and events are built
// from the server's own lists in i18n-domain.ts; the other pages' strings
// are in i18n-app.ts.

import { APP_EN, APP_NB, type AppKey } from "./i18n-app.ts";
import { DOMAIN_EN, DOMAIN_NB, type DomainKey } from "./i18n-domain.ts";
import { EVIDENCE_EN_ALL, EVIDENCE_NB_ALL, type EvidenceKey } from "./i18n-evidence.ts";
import { createTranslator, type Translate } from "./public/i18n.js";

export const LANGUAGES = ["nb", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = "nb";

const LIVE_NB = {
  "page.title": "Maskinport – maskinoversikt",
  "header.title": "Maskinoversikt",
  "header.machines": "{n} maskiner",
  "header.language": "Språk",
  "conn.connecting": "Kobler til …",
  "conn.live": "Direkte",
  "conn.lost": "Forbindelsen er brutt – prøver igjen …",
  "conn.lostShort": "Ingen forbindelse",

  "state.for": "i {duration}",

  "field.program": "Program",
  "field.noProgram": "Intet program",
  "field.spindleSpeed": "Turtall",
  "field.spindleLoad": "Spindellast",
  "field.feedOverride": "Mateoverstyring",
  "field.partCount": "Deler",
  "field.trainee": "Elev",
  "field.noTrainee": "Ingen elev",

  "unit.rpm": "o/min",
  "unit.percent": "%",

  "alarms.title": "Aktive alarmer",
  "alarms.since": "siden {time}",
  "alarms.more": "+{n} til",
  "severity.fault": "Feil",
  "severity.warning": "Advarsel",

  "sparkline.label": "Turtall siste {minutes} min",
  "sparkline.empty": "Ingen turtallsdata ennå",

  "duration.seconds": "{s} s",
  "duration.minutes": "{m} min {s} s",
  "duration.hours": "{h} t {m} min",
  "duration.days": "{d} d {h} t",

  "footer.timeZone": "Tider i {zone}",
  "empty.noMachines": "Ingen maskiner er satt opp. Legg dem til under «machines» i konfigurasjonen.",
} as const;

type LiveKey = keyof typeof LIVE_NB;

const LIVE_EN: Record<LiveKey, string> = {
  "page.title": "Maskinport – machine overview",
  "header.title": "Machine overview",
  "header.machines": "{n} machines",
  "header.language": "Language",
  "conn.connecting": "Connecting…",
  "conn.live": "Live",
  "conn.lost": "Connection lost – reconnecting…",
  "conn.lostShort": "No connection",

  "state.for": "for {duration}",

  "field.program": "Program",
  "field.noProgram": "No program",
  "field.spindleSpeed": "Spindle speed",
  "field.spindleLoad": "Spindle load",
  "field.feedOverride": "Feed override",
  "field.partCount": "Parts",
  "field.trainee": "Trainee",
  "field.noTrainee": "No trainee",

  "unit.rpm": "rev/min",
  "unit.percent": "%",

  "alarms.title": "Active alarms",
  "alarms.since": "since {time}",
  "alarms.more": "+{n} more",
  "severity.fault": "Fault",
  "severity.warning": "Warning",

  "sparkline.label": "Spindle speed, last {minutes} min",
  "sparkline.empty": "No spindle data yet",

  "duration.seconds": "{s} s",
  "duration.minutes": "{m} min {s} s",
  "duration.hours": "{h} h {m} min",
  "duration.days": "{d} d {h} h",

  "footer.timeZone": "Times in {zone}",
  "empty.noMachines": "No machines are set up. Add them under “machines” in the configuration.",
};

const nb = { ...LIVE_NB, ...DOMAIN_NB, ...APP_NB, ...EVIDENCE_NB_ALL };
export type MessageKey = LiveKey | DomainKey | AppKey | EvidenceKey;
const en: Record<MessageKey, string> = { ...LIVE_EN, ...DOMAIN_EN, ...APP_EN, ...EVIDENCE_EN_ALL };

export const DICTIONARY: Readonly<Record<Language, Readonly<Record<MessageKey, string>>>> = { nb, en };

// The page's own translator (public/i18n.js, a browser module valid on the
// server too), so a string reads the same whether the server or the page fills it in.
const TRANSLATORS: Readonly<Record<Language, Translate>> = {
  nb: createTranslator(DICTIONARY, "nb", DEFAULT_LANGUAGE),
  en: createTranslator(DICTIONARY, "en", DEFAULT_LANGUAGE),
};

/** Server-side lookup with `{name}` substitution. */
export function translate(
  language: Language,
  key: MessageKey,
  values: Readonly<Record<string, string | number>> = {},
): string {
  return TRANSLATORS[language](key, values);
}
