import { useEffect, useRef, useState } from "react";
import { useNavigation } from "@remix-run/react";
import { FormError } from "~/components/ui/form";
import { baseName, normalizeLineBreaks } from "~/lib/edit-conflict";

/*
 * The client half of ADR 017's edit forms. The form posts the version and the field values it was
 * based on (hidden inputs, so it works without JavaScript). With JavaScript the base follows the
 * page: when a live event brings a newer row, fields the person has not touched take the new
 * value and their base moves forward; touched fields keep the person's text and their old base,
 * so a real conflict on one still gets the 409. An answer from the server (saved, or refused as
 * stale) moves the whole base to the stored row.
 */

/**
 * The action's answer once the page's loaders have answered too. React Router commits the action's
 * data as soon as the action returns, while the loaders that follow it still run (longer when a live
 * event restarts them), so for a moment a "saved" answer renders beside the row as it was before
 * the save. Given to conform, its `resetForm` then refilled the fields with the old values (a saved
 * transcript folder showed empty) and the base moved to the old version. Until the navigation is
 * idle this answers the previous settled answer, so form and base see the answer with its row.
 */
export function useSettledResult<T>(answer: T): T {
  const idle = useNavigation().state === "idle";
  const settled = useRef(answer);
  if (idle) settled.current = answer;
  return settled.current;
}

/** conform's form metadata; its `update` is typed per form, so it is called through this shape */
interface FormControl {
  update: (...args: never[]) => void;
}
type Update = (options: { name?: string; value?: unknown }) => void;

interface ActionAnswer {
  status?: "success" | "error";
  /** the 409's sentence (conflictReply) */
  conflict?: string;
  initialValue?: Record<string, unknown> | null;
}


function fieldValue(form: HTMLFormElement | null, name: string): string | null {
  const element = form?.elements.namedItem(name);
  if (element && "value" in element && typeof element.value === "string") return normalizeLineBreaks(element.value);
  return null;
}

export function useEditBase<F extends string>({
  formId,
  form,
  version,
  values,
  lastResult,
}: {
  formId: string;
  form: FormControl;
  version: number;
  values: Record<F, string>;
  lastResult: ActionAnswer | null | undefined;
}) {
  const [base, setBase] = useState({ version, values });
  const answered = useRef(lastResult);
  const valuesKey = JSON.stringify(values);
  const update = form.update as unknown as Update;

  useEffect(() => {
    if (lastResult !== answered.current) {
      answered.current = lastResult;
      if (lastResult?.conflict) {
        // the person's changes over the stored row (the server merged them); the stored row is the new base
        if (lastResult.initialValue) update({ value: lastResult.initialValue });
        setBase({ version, values });
        return;
      }
      if (lastResult?.status === "success") {
        setBase({ version, values });
        return;
      }
    }
    // a newer row (its version moved), or a field that changes without an edit (an agent's status
    // as its gateway reports it): untouched fields follow
    if (version === base.version && (Object.keys(values) as F[]).every((field) => values[field] === base.values[field])) return;
    const element = document.getElementById(formId) as HTMLFormElement | null;
    const next = { ...base.values };
    let conflicting = false;
    for (const field of Object.keys(values) as F[]) {
      const shown = fieldValue(element, field);
      const touched = shown !== null && shown !== base.values[field];
      if (!touched) {
        if (shown !== values[field]) update({ name: field, value: values[field] });
        next[field] = values[field];
      } else if (base.values[field] !== values[field]) {
        conflicting = true;
      }
    }
    setBase({ version: conflicting ? base.version : version, values: next });
    // valuesKey stands for values
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, valuesKey, lastResult]);

  return base;
}

/** The hidden inputs that carry the base: the version and each field's shown value. */
export function EditBaseInputs<F extends string>({ base }: { base: { version: number; values: Record<F, string> } }) {
  return (
    <>
      <input type="hidden" name="baseVersion" value={base.version} />
      {(Object.keys(base.values) as F[]).map((field) => (
        <input key={field} type="hidden" name={baseName(field)} value={base.values[field]} />
      ))}
    </>
  );
}

/** The 409's sentence ("Someone changed this board while you were editing: name is now …"). */
export function EditConflict({ lastResult }: { lastResult: ActionAnswer | null | undefined }) {
  return lastResult?.conflict ? <FormError errors={[lastResult.conflict]} /> : null;
}
