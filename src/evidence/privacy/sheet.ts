import type { EvidenceConfig } from "../config.ts";

export type SheetInput = {
  site: string;
  machines: readonly { id: string; name: string; kind: string }[];
  evidence: EvidenceConfig;
};

export type SheetLanguage = "nb" | "en";

type Texts = {
  title: string;
  intro: (site: string) => string;
  what: string;
  machines: string;
  items: string[];
  not: string[];
  notTitle: string;
  purposeTitle: string;
  purpose: string[];
  whoTitle: string;
  who: (lrs: string | undefined) => string[];
  howLongTitle: string;
  howLong: (months: number, days: number) => string[];
  rightsTitle: string;
  rights: string[];
  footer: string[];
};

const NB: Texts = {
  title: "Informasjon om registrering ved maskinene (arbeidsmiljøloven § 9-2)",
  intro: (site) =>
    `Dette arket forteller hva Maskinport registrerer om deg når du er sjekket inn på en maskin ved ${site}, hvorfor, hvem som ser det og hvor lenge det lagres.`,
  what: "Hva som registreres mens du er sjekket inn",
  machines: "Maskiner med registrering",
  items: [
    "Sykluser du kjører: program, varighet, antall deler, fullført eller avbrutt.",
    "Programoverføringer (DNC): filnavn, sjekksum, resultat.",
    "Alarmer som kommer mens du er sjekket inn, og hvor lang tid det tar før de er kvittert.",
    "Tid ved maskinen per maskintype (når du sjekker inn og ut).",
    "Merknader fra instruktøren og merkene P/F/K i opplæringsboka, med hvem som satte dem.",
  ],
  notTitle: "Hva som ikke registreres",
  not: [
    "Ingen video, lyd, tastetrykk eller posisjon utenfor maskinene.",
    "Navnet ditt forlater aldri Maskinport-maskinen: maskindata (MQTT, tidsserier) bærer bare et pseudonym.",
  ],
  purposeTitle: "Formål",
  purpose: [
    "Å dokumentere kompetansen din mot målene i kurset og læreplanen (PRT03-02), slik en opplæringsbok gjør, og gi deg og instruktøren et grunnlag for vurdering.",
    "Opplysningene brukes ikke til disiplinærsaker, rangering eller måling av arbeidstempo.",
  ],
  whoTitle: "Hvem ser opplysningene",
  who: (lrs) => [
    "Du ser alt om deg selv.",
    "Instruktørene på kurset ditt ser opplysningene om deltakerne på kurset.",
    "Andre ser bare tall per maskin eller gruppe, uten navn.",
    "Rapporten om deg gis til lærebedriften bare når du og instruktøren har gått gjennom den.",
    ...(lrs ? [`Pseudonyme læringsposter (xAPI) sendes til ${lrs}, uten navn eller brukernavn.`] : []),
  ],
  howLongTitle: "Hvor lenge",
  howLong: (months, days) => [
    `Koblingen mellom deg og hvilken maskin du satt ved når, slettes etter ${days} dager.`,
    `Kompetansebevisene kan knyttes til deg til kurset er slutt og ${months} måneder til. Da slettes nøkkelen som knytter dem til deg, og det som er igjen er anonyme tall.`,
    "Slettingen skjer automatisk og logges.",
  ],
  rightsTitle: "Dine rettigheter",
  rights: [
    "Du kan få en kopi av alt som er lagret om deg, be om retting og be om sletting. Spør instruktøren eller skolens personvernkontakt.",
    "Ved sletting fjernes navn, brukernavn og merknader; anonyme tall blir stående.",
  ],
  footer: [
    "Tiltaket er drøftet med de tillitsvalgte (dato: ____________) og evalueres jevnlig.",
    "Varighet: så lenge du går på kurset.",
  ],
};

const EN: Texts = {
  title: "Information about recording at the machines (Working Environment Act § 9-2)",
  intro: (site) =>
    `This sheet tells you what Maskinport records about you while you are checked in on a machine at ${site}, why, who sees it and how long it is kept.`,
  what: "What is recorded while you are checked in",
  machines: "Machines with recording",
  items: [
    "Cycles you run: program, duration, number of parts, completed or aborted.",
    "Program transfers (DNC): file name, checksum, result.",
    "Alarms raised while you are checked in, and how long until they are cleared.",
    "Time at the machine per machine type (when you check in and out).",
    "Notes from the instructor and the training-book marks P/F/K, with who set them.",
  ],
  notTitle: "What is not recorded",
  not: [
    "No video, sound, keystrokes or location away from the machines.",
    "Your name never leaves the Maskinport computer: machine data (MQTT, time series) carry a pseudonym only.",
  ],
  purposeTitle: "Purpose",
  purpose: [
    "To document your competence against the goals of the course and the curriculum (PRT03-02), as a training book does, and to give you and the instructor a basis for assessment.",
    "The data is not used for disciplinary matters, ranking or measuring work pace.",
  ],
  whoTitle: "Who sees the data",
  who: (lrs) => [
    "You see everything about yourself.",
    "The instructors of your course see the data about its trainees.",
    "Anyone else sees only totals per machine or group, without names.",
    "The report about you goes to your apprenticeship company only after you and the instructor have gone through it.",
    ...(lrs ? [`Pseudonymous learning records (xAPI) are sent to ${lrs}, without names or usernames.`] : []),
  ],
  howLongTitle: "How long",
  howLong: (months, days) => [
    `The link between you and which machine you used when is deleted after ${days} days.`,
    `The competence evidence can be linked to you until the course ends plus ${months} months. Then the key that links it to you is deleted; what remains are anonymous figures.`,
    "Deletion is automatic and logged.",
  ],
  rightsTitle: "Your rights",
  rights: [
    "You can get a copy of everything stored about you, ask for corrections and ask for deletion. Ask the instructor or the school's privacy contact.",
    "On deletion, name, username and notes are removed; anonymous figures remain.",
  ],
  footer: [
    "This measure has been discussed with the employee representatives (date: ____________) and is evaluated regularly.",
    "Duration: for as long as you attend the course.",
  ],
};

/** The § 9-2 information sheet as plain text (prints on one page; the school adds its letterhead). */
export function privacySheet(input: SheetInput, lang: SheetLanguage): string {
  const t = lang === "nb" ? NB : EN;
  const lrs = input.evidence.xapi ? new URL(input.evidence.xapi.endpoint).host : undefined;
  const r = input.evidence.retention;
  const list = (items: readonly string[]) => items.map((i) => `  • ${i}`).join("\n");
  const machines = input.machines.map((m) => `${m.name} (${m.id}, ${m.kind})`);
  return [
    t.title,
    "=".repeat(t.title.length),
    "",
    t.intro(input.site),
    "",
    `${t.what}:`,
    list(t.items),
    "",
    `${t.machines}:`,
    list(machines),
    "",
    `${t.notTitle}:`,
    list(t.not),
    "",
    `${t.purposeTitle}:`,
    list(t.purpose),
    "",
    `${t.whoTitle}:`,
    list(t.who(lrs)),
    "",
    `${t.howLongTitle}:`,
    list(t.howLong(r.evidenceMonthsAfterCourseEnd, r.sessionLinkDays)),
    "",
    `${t.rightsTitle}:`,
    list(t.rights),
    "",
    ...t.footer,
    "",
  ].join("\n");
}
