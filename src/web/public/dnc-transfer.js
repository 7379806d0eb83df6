// @ts-check
// The upload page's transfer panel: follows one transfer over its event
// stream (falling back to a plain GET if the stream breaks), draws the
// progress bar with bytes, lines, rate and "paused by the machine", shows a
// failure with its translated headline, and cancels.

import { byId } from "./dnc-dom.js";
import { codeHeadline, progressTexts } from "./dnc-format.js";

/** @typedef {import("./dnc-dom.js").PageView} PageView */
/**
 * @typedef {{ id: string, machine: string, fileName: string, mode: string, state: string, bytesSent: number,
 *   bytesTotal: number, linesSent: number, linesTotal: number, rate: number, pausedByMachine: boolean,
 *   error?: string, errorCode?: string, resumeFromLine?: number, startedAt: number, endedAt?: number }} TransferView
 */

const ENDED = new Set(["done", "failed", "cancelled"]);

/**
 * @param {{
 *   api: { transfer(id: string): Promise<any>, cancel(id: string): Promise<any>, eventsUrl(id: string): string },
 *   view: () => PageView,
 *   errorText: (err: unknown) => string,
 *   onChange: () => void,
 *   onEnd: () => void,
 * }} options
 */
export function createTransferPanel({ api, view, errorText, onChange, onEnd }) {
  const section = byId("transfer");
  const stateText = byId("transfer-state");
  const bar = /** @type {HTMLProgressElement} */ (byId("transfer-bar"));
  const label = byId("transfer-label");
  const text = byId("transfer-text");
  const paused = byId("transfer-paused");
  const error = byId("transfer-error");
  const cancelButton = /** @type {HTMLButtonElement} */ (byId("cancel"));

  /** @type {TransferView | undefined} */
  let transfer;
  /** @type {EventSource | undefined} */
  let stream;

  /** @param {TransferView} next */
  function show(next) {
    transfer = next;
    render();
    onChange();
  }

  /** @param {string} id */
  function follow(id) {
    stream?.close();
    const source = new EventSource(api.eventsUrl(id));
    stream = source;
    source.addEventListener("progress", (event) =>
      show(JSON.parse(/** @type {MessageEvent} */ (event).data)),
    );
    source.addEventListener("end", () => {
      source.close();
      if (stream === source) stream = undefined;
      onEnd();
    });
    source.addEventListener("error", () => {
      // The stream broke before its end (gateway restart, network): ask once by plain GET.
      if (source.readyState !== EventSource.CLOSED) return;
      if (stream === source) stream = undefined;
      api
        .transfer(id)
        .then(({ transfer: latest }) => {
          show(latest);
          if (ENDED.has(latest.state)) onEnd();
          else follow(id);
        })
        .catch(() => {});
    });
  }

  function render() {
    if (transfer === undefined) return;
    const { t, number, machineName } = view();
    section.hidden = false;
    const texts = progressTexts(transfer, t, number);
    bar.max = texts.max;
    bar.value = texts.value;
    label.textContent = t("dnc.progress.label", { file: transfer.fileName });
    text.textContent = texts.summary;
    stateText.textContent =
      transfer.state === "done"
        ? `${texts.state}: ${t("dnc.progress.done", { file: transfer.fileName, machine: machineName(transfer.machine) })}`
        : texts.state;
    section.dataset.state = transfer.state;
    paused.hidden = !transfer.pausedByMachine;
    const failed = transfer.state === "failed" || transfer.state === "cancelled";
    error.hidden = !failed || transfer.error === undefined;
    if (failed && transfer.error !== undefined) {
      const headline = codeHeadline("dnc.error", transfer.errorCode, t);
      const resume =
        transfer.resumeFromLine === undefined
          ? ""
          : ` ${t("dnc.progress.resume", { line: transfer.resumeFromLine })}`;
      error.textContent = `${headline ? `${headline}. ` : ""}${transfer.error}${resume}`;
    }
    const hideCancel = ENDED.has(transfer.state);
    // A focused button that disappears drops the keyboard at the top of the
    // page: once the transfer ends, the keyboard goes to what it says.
    if (hideCancel && document.activeElement === cancelButton) focusState();
    cancelButton.hidden = hideCancel;
    // A drip-feed runs the machine while it receives: stopping it is what the instructor does.
    cancelButton.textContent = t(transfer.mode === "drip" ? "dnc.stop.button" : "dnc.cancel.button");
  }

  function focusState() {
    stateText.tabIndex = -1;
    stateText.focus();
  }

  async function cancel() {
    if (transfer === undefined || ENDED.has(transfer.state)) return;
    // Disabling the focused button drops the keyboard at the top of the page: note it first.
    const hadKeyboard = document.activeElement === cancelButton;
    cancelButton.disabled = true;
    try {
      show((await api.cancel(transfer.id)).transfer);
    } catch (err) {
      error.hidden = false;
      error.textContent = errorText(err);
    } finally {
      cancelButton.disabled = false;
      if (hadKeyboard && cancelButton.hidden) focusState();
      else if (hadKeyboard) cancelButton.focus();
    }
  }

  cancelButton.addEventListener("click", () => void cancel());

  return {
    /**
     * A transfer the server has just accepted (202): show it queued and follow it.
     * @param {{ id: string, machine: string, fileName: string, mode: string, bytes: number, lines: number, state: string }} started
     */
    start(started) {
      show({
        ...started,
        bytesSent: 0,
        bytesTotal: started.bytes,
        linesSent: 0,
        linesTotal: started.lines,
        rate: 0,
        pausedByMachine: false,
        startedAt: Date.now(),
      });
      // The send button is disabled while this runs: the keyboard moves on to cancel.
      const active = document.activeElement;
      if (
        active === null ||
        active === document.body ||
        (active instanceof HTMLButtonElement && active.disabled)
      ) {
        if (cancelButton.hidden) focusState();
        else cancelButton.focus();
      }
      follow(started.id);
    },
    render,
    /** A transfer started here is still running. */
    running: () => transfer !== undefined && !ENDED.has(transfer.state),
  };
}
