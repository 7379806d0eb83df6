// Verbs and activity types. ADL's where one fits (notes/training.md);
// Maskinport's own under PRODUCT_IRI for what ADL has no verb for.
//
// PRODUCT_IRI must be a namespace the project controls before statements go
// to a shared LRS: IRIs are identifiers for ever. It is one constant so that
// the choice is made in one place (see src/evidence/README.md).
export const PRODUCT_IRI = "https://maskinport.no/xapi";

const ADL = "http://adlnet.gov/expapi";

export const VERBS = {
  completed: { id: `${ADL}/verbs/completed`, display: { "en-US": "completed", "nb-NO": "fullførte" } },
  terminated: { id: `${ADL}/verbs/terminated`, display: { "en-US": "terminated", "nb-NO": "avbrøt" } },
  attempted: { id: `${ADL}/verbs/attempted`, display: { "en-US": "attempted", "nb-NO": "påbegynte" } },
  interacted: { id: `${ADL}/verbs/interacted`, display: { "en-US": "interacted", "nb-NO": "arbeidet ved" } },
  passed: { id: `${ADL}/verbs/passed`, display: { "en-US": "passed", "nb-NO": "bestod" } },
  transferredProgram: {
    id: `${PRODUCT_IRI}/verbs/transferred-program`,
    display: { "en-US": "transferred a program to", "nb-NO": "overførte et program til" },
  },
  handledAlarm: {
    id: `${PRODUCT_IRI}/verbs/handled-alarm`,
    display: { "en-US": "handled an alarm on", "nb-NO": "håndterte en alarm på" },
  },
} as const;

export const ACTIVITY_TYPES = {
  objective: `${ADL}/activities/objective`,
  machine: `${PRODUCT_IRI}/activities/machine`,
  program: `${PRODUCT_IRI}/activities/nc-program`,
  alarm: `${PRODUCT_IRI}/activities/alarm`,
} as const;

/** Result and context extension keys (IRIs, as xAPI requires). */
export const EXTENSIONS = {
  machineKind: `${PRODUCT_IRI}/extensions/machine-kind`,
  parts: `${PRODUCT_IRI}/extensions/parts`,
  programSentByTrainee: `${PRODUCT_IRI}/extensions/program-sent-by-trainee`,
  checksum: `${PRODUCT_IRI}/extensions/checksum`,
  bytes: `${PRODUCT_IRI}/extensions/bytes`,
  alarmCode: `${PRODUCT_IRI}/extensions/alarm-code`,
  withinSession: `${PRODUCT_IRI}/extensions/within-session`,
  ledgerSeq: `${PRODUCT_IRI}/extensions/ledger-seq`,
  ledgerHash: `${PRODUCT_IRI}/extensions/ledger-hash`,
} as const;
