/*
 * Which submission belongs to which form. A page has several forms (a board: new task, move, board
 * settings, delete), and Remix reports one navigation and any number of fetchers, each with the
 * FormData it sent. A submit button is busy when one of them was sent from its own form: the same
 * action path and the same hidden fields (the intent, the row id) — and, for a named button, its
 * own name and value. Typed fields are left out on purpose: the person may edit them while waiting.
 */

export interface PendingSubmission {
  state: "idle" | "submitting" | "loading";
  formAction?: string;
  formData?: FormData;
}

export interface FormIdentity {
  /** the form's action, absolute (HTMLFormElement.action) */
  action: string;
  /** the form's hidden fields, name → value */
  hidden: Array<[string, string]>;
  /** the submit button's own name and value, when it has a name */
  submitter?: [string, string];
}

function pathOf(url: string, base: string) {
  try {
    return new URL(url, base).pathname.replace(/\.data$/, "").replace(/\/$/, "") || "/";
  } catch {
    return null;
  }
}

export function isOwnSubmission(form: FormIdentity, submission: PendingSubmission): boolean {
  if (submission.state === "idle" || !submission.formData) return false;
  const base = form.action;
  const sentTo = submission.formAction ? pathOf(submission.formAction, base) : null;
  if (sentTo !== null && sentTo !== pathOf(form.action, base)) return false;
  const sent = submission.formData;
  for (const [name, value] of form.hidden) {
    if (!sent.getAll(name).includes(value)) return false;
  }
  if (form.submitter && sent.get(form.submitter[0]) !== form.submitter[1]) return false;
  return true;
}

/** What `isOwnSubmission` needs from a form element in the page. */
export function formIdentity(form: HTMLFormElement, button?: HTMLButtonElement | null): FormIdentity {
  const hidden: Array<[string, string]> = [];
  for (const element of Array.from(form.elements)) {
    if (element instanceof HTMLInputElement && element.type === "hidden" && element.name) hidden.push([element.name, element.value]);
  }
  const submitter: [string, string] | undefined = button?.name ? [button.name, button.value] : undefined;
  return { action: form.action, hidden, submitter };
}
