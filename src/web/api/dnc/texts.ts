import type { DncErrorCode } from "../../../dnc/errors.ts";
import type { ValidationCode } from "../../../dnc/validate.ts";
import { DICTIONARY, LANGUAGES, type Language } from "../../i18n.ts";
import type { TransferState } from "./transfer-registry.ts";

// Every string of the program upload page, in Norwegian bokmål (the
// default) and English, beside the live page's dictionary (src/web/i18n.ts),
// which the page also gets (machine kinds, the language switch). Texts for
// transfer states, engine error codes and validation codes are typed from
// the server's own lists, so a new state or code cannot reach the page
// without a text. `{name}` marks a value the page fills in.

type ListTexts = Record<`dnc.state.${TransferState}`, string> &
  Record<`dnc.error.${DncErrorCode}`, string> &
  Record<`dnc.problem.${ValidationCode}`, string>;

const nbLists: ListTexts = {
  "dnc.state.queued": "Venter på linjen",
  "dnc.state.sending": "Sender",
  "dnc.state.paused": "Pauset av maskinen",
  "dnc.state.done": "Ferdig",
  "dnc.state.failed": "Feilet",
  "dnc.state.cancelled": "Avbrutt",

  "dnc.error.port-missing": "Finner ikke serieporten",
  "dnc.error.port-busy": "Linjen er opptatt",
  "dnc.error.permission-denied": "Ingen tilgang til serieporten",
  "dnc.error.connection-refused": "Seriell-serveren svarer ikke",
  "dnc.error.no-response": "Maskinen svarer ikke – trykk READ/INPUT på kontrollen",
  "dnc.error.cable-pulled": "Forbindelsen til maskinen ble brutt",
  "dnc.error.framing-mismatch": "Feil linjeoppsett (baud, paritet eller databiter)",
  "dnc.error.invalid-program": "Programmet er ikke gyldig for denne kontrollen",
  "dnc.error.cancelled": "Avbrutt",
  "dnc.error.port-error": "Feil på serieporten",

  "dnc.problem.empty": "Filen er tom",
  "dnc.problem.missing-percent-start": "Mangler % i starten",
  "dnc.problem.missing-percent-end": "Mangler % på slutten",
  "dnc.problem.char-not-allowed": "Tegn som kontrollen ikke godtar",
  "dnc.problem.lowercase": "Små bokstaver utenfor kommentar",
  "dnc.problem.missing-program-number": "Mangler programnummer",
  "dnc.problem.bad-program-number": "Ugyldig programnummer",
  "dnc.problem.bad-header": "Feil programhode eller -slutt",
  "dnc.problem.unbalanced-comment": "Kommentar er ikke lukket",
  "dnc.problem.nested-comment": "Kommentar inne i kommentar",
  "dnc.problem.line-too-long": "For lang linje",
  "dnc.problem.too-large-for-memory": "For stort for maskinens minne",
  "dnc.problem.no-program-end": "Mangler programslutt (M30)",
  "dnc.problem.too-many-messages": "Flere problemer",
};

const nb = {
  ...nbLists,
  "dnc.page.title": "Maskinport – send program",
  "dnc.header.title": "Send program til maskin",
  "dnc.login.needed": "Logg inn for å sende program til en maskin.",
  "dnc.login.link": "Til innlogging",

  "dnc.machine.legend": "1. Velg maskin",
  "dnc.machine.label": "Maskin",
  "dnc.machine.choose": "Velg en maskin …",
  "dnc.machine.option": "{name} – {kind}, {profile}",
  "dnc.machine.none": "Ingen maskiner har DNC-linje. Legg til «dnc:» på en maskin i konfigurasjonen.",
  "dnc.machine.busy": "Linjen er opptatt med en annen overføring.",
  "dnc.machine.notCheckedIn": "Du er ikke sjekket inn på denne maskinen. Sjekk inn først.",
  "dnc.machine.ready": "Klar: {profile}, minne {memory}.",

  "dnc.program.legend": "2. Velg eller lim inn programmet",
  "dnc.file.label": "Programfil",
  "dnc.fileName.label": "Filnavn",
  "dnc.fileName.hint": "Bokstaver A–Z, tall, punktum, bindestrek og understrek.",
  "dnc.program.label": "Program",
  "dnc.program.hint": "Du kan også lime inn programmet her.",
  "dnc.program.tooLarge": "Programmet er større enn {max} og kan ikke sendes herfra.",

  "dnc.check.legend": "3. Sjekk og send",
  "dnc.validate.button": "Sjekk programmet",
  "dnc.validate.checking": "Sjekker …",
  "dnc.validate.ok": "Programmet er i orden for {profile} ({lines} linjer, {bytes}).",
  "dnc.validate.okWarnings": "Programmet kan sendes, men se advarslene.",
  "dnc.validate.failed": "{errors} feil må rettes før programmet kan sendes.",
  "dnc.validate.needMachine": "Velg en maskin først: programmet sjekkes mot maskinens kontroll.",
  "dnc.problems.title": "Problemer i programmet",
  "dnc.problem.at": "Linje {line}",
  "dnc.problem.atColumn": "Linje {line}, kolonne {column}",
  "dnc.problem.goTo": "Gå til linje {line}",
  "dnc.severity.error": "Feil",
  "dnc.severity.warning": "Advarsel",
  "dnc.mode.legend": "Overføring",
  "dnc.mode.send": "Send til minnet",
  "dnc.mode.drip": "Drypp-mat (maskinen kjører mens den mottar)",
  "dnc.send.button": "Send til maskinen",
  "dnc.cancel.button": "Avbryt overføringen",

  "dnc.progress.title": "Overføring",
  "dnc.progress.label": "Fremdrift for {file}",
  "dnc.progress.bytes": "{sent} av {total} byte",
  "dnc.progress.lines": "{sent} av {total} linjer",
  "dnc.progress.rate": "{rate} tegn/s",
  "dnc.progress.paused": "Maskinen har bedt om pause (XOFF) – fortsetter når den er klar.",
  "dnc.progress.done": "{file} er sendt til {machine}.",
  "dnc.progress.resume": "Fortsett fra linje {line}.",

  "dnc.history.title": "Mine overføringer",
  "dnc.history.allTitle": "Overføringer",
  "dnc.history.empty": "Ingen overføringer ennå.",
  "dnc.history.time": "Tid",
  "dnc.history.machine": "Maskin",
  "dnc.history.file": "Fil",
  "dnc.history.direction": "Retning",
  "dnc.history.result": "Resultat",
  "dnc.history.bytes": "Byte",
  "dnc.history.refresh": "Oppdater",
  "dnc.direction.send": "Sendt",
  "dnc.direction.drip": "Drypp-matet",
  "dnc.direction.receive": "Mottatt",
  "dnc.result.ok": "Ferdig",
  "dnc.result.failed": "Feilet",
  "dnc.result.cancelled": "Avbrutt",

  "dnc.library.title": "Mine programmer",
  "dnc.library.empty": "Programmene du sender, lagres her.",
  "dnc.library.versions": "{n} versjoner, siste {time}",

  "dnc.http.unauthenticated": "Økten er utløpt. Logg inn på nytt.",
  "dnc.http.forbidden": "Du har ikke lov til dette.",
  "dnc.http.not_checked_in": "Du er ikke sjekket inn på maskinen. Sjekk inn først.",
  "dnc.http.line_busy": "Maskinens linje er opptatt med en annen overføring. Vent litt og prøv igjen.",
  "dnc.http.program_too_large": "Programmet er for stort til å sendes herfra.",
  "dnc.http.bad_body": "Noe er feil i skjemaet: {details}",
  "dnc.http.unknown_machine": "Maskinen har ingen DNC-linje.",
  "dnc.http.failed": "Noe gikk galt ({status}). Prøv igjen.",
  "dnc.http.offline": "Får ikke kontakt med gatewayen.",
} as const;

export type DncMessageKey = keyof typeof nb;

const en: Record<DncMessageKey, string> = {
  "dnc.state.queued": "Waiting for the line",
  "dnc.state.sending": "Sending",
  "dnc.state.paused": "Paused by the machine",
  "dnc.state.done": "Done",
  "dnc.state.failed": "Failed",
  "dnc.state.cancelled": "Cancelled",

  "dnc.error.port-missing": "Serial port not found",
  "dnc.error.port-busy": "The line is busy",
  "dnc.error.permission-denied": "No access to the serial port",
  "dnc.error.connection-refused": "The serial device server does not answer",
  "dnc.error.no-response": "The machine does not answer – press READ/INPUT on the control",
  "dnc.error.cable-pulled": "The connection to the machine was lost",
  "dnc.error.framing-mismatch": "Wrong line settings (baud, parity or data bits)",
  "dnc.error.invalid-program": "The program is not valid for this control",
  "dnc.error.cancelled": "Cancelled",
  "dnc.error.port-error": "Serial port error",

  "dnc.problem.empty": "The file is empty",
  "dnc.problem.missing-percent-start": "Missing % at the start",
  "dnc.problem.missing-percent-end": "Missing % at the end",
  "dnc.problem.char-not-allowed": "Character the control does not accept",
  "dnc.problem.lowercase": "Lower-case letters outside a comment",
  "dnc.problem.missing-program-number": "Missing program number",
  "dnc.problem.bad-program-number": "Invalid program number",
  "dnc.problem.bad-header": "Wrong program start or end",
  "dnc.problem.unbalanced-comment": "Comment not closed",
  "dnc.problem.nested-comment": "Comment inside a comment",
  "dnc.problem.line-too-long": "Line too long",
  "dnc.problem.too-large-for-memory": "Too large for the machine's memory",
  "dnc.problem.no-program-end": "No program end (M30)",
  "dnc.problem.too-many-messages": "More problems",

  "dnc.page.title": "Maskinport – send program",
  "dnc.header.title": "Send a program to a machine",
  "dnc.login.needed": "Log in to send a program to a machine.",
  "dnc.login.link": "Go to login",

  "dnc.machine.legend": "1. Choose a machine",
  "dnc.machine.label": "Machine",
  "dnc.machine.choose": "Choose a machine…",
  "dnc.machine.option": "{name} – {kind}, {profile}",
  "dnc.machine.none": "No machine has a DNC line. Add “dnc:” to a machine in the configuration.",
  "dnc.machine.busy": "The line is busy with another transfer.",
  "dnc.machine.notCheckedIn": "You are not checked in on this machine. Check in first.",
  "dnc.machine.ready": "Ready: {profile}, memory {memory}.",

  "dnc.program.legend": "2. Choose or paste the program",
  "dnc.file.label": "Program file",
  "dnc.fileName.label": "File name",
  "dnc.fileName.hint": "Letters A–Z, digits, full stop, hyphen and underscore.",
  "dnc.program.label": "Program",
  "dnc.program.hint": "You can also paste the program here.",
  "dnc.program.tooLarge": "The program is larger than {max} and cannot be sent from here.",

  "dnc.check.legend": "3. Check and send",
  "dnc.validate.button": "Check the program",
  "dnc.validate.checking": "Checking…",
  "dnc.validate.ok": "The program is fine for {profile} ({lines} lines, {bytes}).",
  "dnc.validate.okWarnings": "The program can be sent, but see the warnings.",
  "dnc.validate.failed": "{errors} errors must be fixed before the program can be sent.",
  "dnc.validate.needMachine": "Choose a machine first: the program is checked against its control.",
  "dnc.problems.title": "Problems in the program",
  "dnc.problem.at": "Line {line}",
  "dnc.problem.atColumn": "Line {line}, column {column}",
  "dnc.problem.goTo": "Go to line {line}",
  "dnc.severity.error": "Error",
  "dnc.severity.warning": "Warning",
  "dnc.mode.legend": "Transfer",
  "dnc.mode.send": "Send into memory",
  "dnc.mode.drip": "Drip-feed (the machine runs while it receives)",
  "dnc.send.button": "Send to the machine",
  "dnc.cancel.button": "Cancel the transfer",

  "dnc.progress.title": "Transfer",
  "dnc.progress.label": "Progress of {file}",
  "dnc.progress.bytes": "{sent} of {total} bytes",
  "dnc.progress.lines": "{sent} of {total} lines",
  "dnc.progress.rate": "{rate} chars/s",
  "dnc.progress.paused": "The machine asked for a pause (XOFF) – continuing when it is ready.",
  "dnc.progress.done": "{file} has been sent to {machine}.",
  "dnc.progress.resume": "Resume from line {line}.",

  "dnc.history.title": "My transfers",
  "dnc.history.allTitle": "Transfers",
  "dnc.history.empty": "No transfers yet.",
  "dnc.history.time": "Time",
  "dnc.history.machine": "Machine",
  "dnc.history.file": "File",
  "dnc.history.direction": "Direction",
  "dnc.history.result": "Result",
  "dnc.history.bytes": "Bytes",
  "dnc.history.refresh": "Refresh",
  "dnc.direction.send": "Sent",
  "dnc.direction.drip": "Drip-fed",
  "dnc.direction.receive": "Received",
  "dnc.result.ok": "Done",
  "dnc.result.failed": "Failed",
  "dnc.result.cancelled": "Cancelled",

  "dnc.library.title": "My programs",
  "dnc.library.empty": "The programs you send are kept here.",
  "dnc.library.versions": "{n} versions, latest {time}",

  "dnc.http.unauthenticated": "Your session has ended. Log in again.",
  "dnc.http.forbidden": "You are not allowed to do this.",
  "dnc.http.not_checked_in": "You are not checked in on the machine. Check in first.",
  "dnc.http.line_busy": "The machine's line is busy with another transfer. Wait a little and try again.",
  "dnc.http.program_too_large": "The program is too large to send from here.",
  "dnc.http.bad_body": "Something in the form is wrong: {details}",
  "dnc.http.unknown_machine": "The machine has no DNC line.",
  "dnc.http.failed": "Something went wrong ({status}). Try again.",
  "dnc.http.offline": "Cannot reach the gateway.",
};

export const DNC_TEXTS: Readonly<Record<Language, Readonly<Record<DncMessageKey, string>>>> = { nb, en };

/** The upload page's dictionary: the live page's (kinds, language switch) plus its own. */
export function dncPageDictionary(): Record<Language, Record<string, string>> {
  const out = {} as Record<Language, Record<string, string>>;
  for (const language of LANGUAGES) out[language] = { ...DICTIONARY[language], ...DNC_TEXTS[language] };
  return out;
}
