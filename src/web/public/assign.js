// Instructors and admins assign a trainee to a machine and check one out,
// from the fleet wall's tiles and the machine page. One modal <dialog>
// (native: focus stays inside, Escape closes, focus returns to the button
// that opened it) serves every machine. Trainees and the anonymous wall never
// get the controls; the API refuses them anyway. The page does not redraw
// who is where from the answer: the gateway's session.start / session.end on
// the live stream does that, as it does for every other change.

import { currentUser, getJson, sendJson } from "./api.js";

/** @import { PageContext } from "./shell.js" */
/** @typedef {{ id: string, displayName: string }} Trainee */
/** @typedef {{ root: HTMLDivElement, assign: HTMLButtonElement, checkout: HTMLButtonElement }} MachineControls */

/**
 * @param {{ ctx: () => PageContext, machineName: (id: string) => string }} page
 */
export function createAssignments(page) {
  /** @type {Trainee[]} */
  let trainees = [];
  let allowed = false;
  /** @type {Map<string, MachineControls & { occupant: string | null, occupied: boolean }>} */
  const controls = new Map();
  const dialog = buildDialog();
  const status = document.createElement("p");
  status.className = "assign-status";
  status.setAttribute("role", "status");
  document.body.append(dialog.root, status);
  /** @type {{ kind: "assign" | "checkout", machine: string } | null} */
  let open = null;

  const ready = currentUser().then(async (me) => {
    if (me === null || (me.role !== "instructor" && me.role !== "admin")) return false;
    const answer = await getJson("/api/users").catch(() => null);
    if (!answer?.ok || !Array.isArray(answer.body?.users)) return false;
    /** @type {{ id: string, displayName: string, role: string, disabled: boolean }[]} */
    const users = answer.body.users;
    trainees = users
      .filter((u) => u.role === "trainee" && !u.disabled)
      .map(({ id, displayName }) => ({ id, displayName }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName, "nb"));
    allowed = true;
    for (const id of controls.keys()) render(id);
    return true;
  });

  /** @param {string} id */
  function render(id) {
    const c = controls.get(id);
    if (!c) return;
    const { t } = page.ctx();
    const machine = page.machineName(id);
    c.root.hidden = !allowed;
    setText(c.assign, t("assign.open"));
    c.assign.setAttribute("aria-label", t("assign.openFor", { machine }));
    setText(c.checkout, t("assign.checkout"));
    c.checkout.setAttribute("aria-label", t("assign.checkoutFor", { machine }));
    c.checkout.hidden = !c.occupied;
  }

  /**
   * @param {"assign" | "checkout"} kind
   * @param {string} machine
   */
  function show(kind, machine) {
    const { t } = page.ctx();
    const name = page.machineName(machine);
    const c = controls.get(machine);
    open = { kind, machine };
    dialog.error.hidden = true;
    dialog.pick.hidden = kind !== "assign";
    dialog.select.required = kind === "assign";
    dialog.title.textContent = t(kind === "assign" ? "assign.title" : "assign.checkoutTitle", {
      machine: name,
    });
    dialog.submit.textContent = t(kind === "assign" ? "assign.submit" : "assign.checkoutSubmit");
    dialog.cancel.textContent = t("assign.cancel");
    dialog.label.textContent = t("assign.trainee");
    if (kind === "assign") {
      dialog.select.replaceChildren(
        new Option(t("assign.choose"), ""),
        ...trainees.map((tr) => new Option(tr.displayName, tr.id)),
      );
      dialog.note.textContent =
        trainees.length === 0 ? t("assign.noTrainees") : c?.occupied ? t("assign.takesOver") : "";
    } else {
      dialog.note.textContent = c?.occupant
        ? t("assign.checkoutConfirm", { name: c.occupant, machine: name })
        : t("assign.checkoutFor", { machine: name });
    }
    dialog.note.hidden = dialog.note.textContent === "";
    dialog.root.showModal();
  }

  async function submit() {
    if (open === null) return;
    const { t } = page.ctx();
    const { kind, machine } = open;
    const name = page.machineName(machine);
    const path = `/api/machines/${encodeURIComponent(machine)}/${kind === "assign" ? "checkin" : "checkout"}`;
    const traineeId = dialog.select.value;
    if (kind === "assign" && traineeId === "") {
      dialog.select.focus();
      return;
    }
    dialog.submit.disabled = true;
    try {
      const answer = await sendJson(path, kind === "assign" ? { userId: traineeId } : {});
      if (!answer.ok) {
        dialog.error.textContent =
          answer.body?.error === "not_your_trainee"
            ? t("assign.notYours")
            : answer.body?.error === "not_checked_in"
              ? t("assign.nobody", { machine: name })
              : t("assign.failed", { status: answer.status, message: String(answer.body?.message ?? "") });
        dialog.error.hidden = false;
        return;
      }
      const trainee = trainees.find((tr) => tr.id === traineeId)?.displayName ?? "";
      status.textContent =
        kind === "assign"
          ? t("assign.done", { name: trainee, machine: name })
          : t("assign.checkedOut", { machine: name });
      dialog.root.close();
    } catch {
      dialog.error.textContent = t("assign.failed", { status: 0, message: "" });
      dialog.error.hidden = false;
    } finally {
      dialog.submit.disabled = false;
    }
  }

  dialog.form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit();
  });
  dialog.cancel.addEventListener("click", () => dialog.root.close());
  dialog.root.addEventListener("close", () => {
    open = null;
  });

  return {
    /** Resolves true once the controls are known to be for this viewer. */
    ready,
    /**
     * The buttons for one machine (hidden until the viewer is known to be staff).
     * @param {string} machine
     */
    controlsFor(machine) {
      const existing = controls.get(machine);
      if (existing) return existing.root;
      const assign = button("assign-open");
      const checkout = button("assign-checkout");
      assign.addEventListener("click", () => show("assign", machine));
      checkout.addEventListener("click", () => show("checkout", machine));
      const root = document.createElement("div");
      root.className = "assign-controls";
      root.hidden = true;
      root.append(assign, checkout);
      controls.set(machine, { root, assign, checkout, occupant: null, occupied: false });
      render(machine);
      return root;
    },
    /**
     * Who is on the machine now: `occupied`, and the name when the viewer may see it.
     * @param {string} machine
     * @param {boolean} occupied
     * @param {string | null} occupant
     */
    update(machine, occupied, occupant) {
      const c = controls.get(machine);
      if (!c) return;
      c.occupied = occupied;
      c.occupant = occupant;
      render(machine);
    },
  };
}

/** @param {string} className */
function button(className) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `button ${className}`;
  return b;
}

/**
 * @param {Element} node
 * @param {string} text
 */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function buildDialog() {
  const root = document.createElement("dialog");
  root.className = "assign-dialog";
  root.setAttribute("aria-labelledby", "assign-title");
  const form = document.createElement("form");
  const title = document.createElement("h2");
  title.id = "assign-title";
  const pick = document.createElement("div");
  pick.className = "field";
  const label = document.createElement("label");
  label.htmlFor = "assign-trainee";
  const select = document.createElement("select");
  select.id = "assign-trainee";
  pick.append(label, select);
  const note = document.createElement("p");
  note.className = "assign-note";
  const error = document.createElement("p");
  error.className = "message message-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  const submit = document.createElement("button");
  submit.type = "submit";
  submit.className = "button button-primary";
  submit.id = "assign-submit";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "button";
  const actions = document.createElement("div");
  actions.className = "assign-actions";
  actions.append(submit, cancel);
  form.append(title, pick, note, error, actions);
  root.append(form);
  return { root, form, title, pick, label, select, note, error, submit, cancel };
}
