import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form } from "@remix-run/react";
import { EditBaseInputs, EditConflict, useEditBase, useSettledResult } from "~/components/ui/edit-base";
import { Button, FieldError, selectClass } from "~/components/ui/form";
import { Badge } from "~/components/ui/layout";
import { TagSchema } from "~/lib/schemas";
import { ConfirmButton } from "./confirm-button";

export interface TagRowData {
  id: string;
  name: string;
  color: string;
  /** the row's version (ADR 017): the form's base */
  version: number;
  usage: number;
}

/** One catalog entry: a rename/recolour form and a delete form, each with its own hidden intent. */
export function TagRow({ tag, canEdit, lastResult: answer }: { tag: TagRowData; canEdit: boolean; lastResult?: (SubmissionResult<string[]> & { conflict?: string }) | null }) {
  const lastResult = useSettledResult(answer);
  const shown = { name: tag.name, color: tag.color };
  const [form, fields] = useForm({
    id: `tag-${tag.id}`,
    lastResult,
    defaultValue: shown,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: TagSchema }),
  });
  // a viewer's row has no form; the hook runs either way (hooks are unconditional)
  const base = useEditBase({ formId: form.id, form, version: tag.version, values: shown, lastResult });
  const usage = tag.usage === 1 ? "1 task" : `${tag.usage} tasks`;
  if (!canEdit) {
    return (
      <li className="flex items-center justify-between gap-3 py-2">
        <Badge color={tag.color}>{tag.name}</Badge>
        <span className="text-xs text-muted">{usage}</span>
      </li>
    );
  }
  const nameProps = getInputProps(fields.name, { type: "text" });
  const colorProps = getInputProps(fields.color, { type: "color" });
  return (
    <li className="py-2">
      <div className="flex flex-wrap items-center gap-2">
        <Form method="post" {...getFormProps(form)} className="flex min-w-0 basis-full items-center gap-2 sm:basis-auto sm:flex-1">
          <input type="hidden" name="intent" value="update" />
          <input type="hidden" name="tagId" value={tag.id} />
          <EditBaseInputs base={base} />
          <label htmlFor={fields.color.id} className="sr-only">
            Colour of {tag.name}
          </label>
          <input {...colorProps} key={colorProps.key} className="h-8 w-10 shrink-0 cursor-pointer rounded border border-border bg-panel-2" />
          <label htmlFor={fields.name.id} className="sr-only">
            Name of {tag.name}
          </label>
          <input {...nameProps} key={nameProps.key} className={`${selectClass} min-w-0 py-1`} />
          <Button type="submit" variant="secondary" className="shrink-0 px-2 py-1 text-xs">
            Save
          </Button>
        </Form>
        <span className="flex-1 text-xs text-muted sm:w-16 sm:flex-none sm:text-right">{usage}</span>
        <Form method="post">
          <input type="hidden" name="intent" value="delete" />
          <input type="hidden" name="tagId" value={tag.id} />
          <ConfirmButton question={`Delete the tag "${tag.name}"? It is removed from ${usage}.`}>Delete</ConfirmButton>
        </Form>
      </div>
      <FieldError id={fields.name.errorId} errors={fields.name.errors} />
      <FieldError id={fields.color.errorId} errors={fields.color.errors} />
      <FieldError id={form.errorId} errors={form.errors} />
      <div className="mt-2 empty:hidden">
        <EditConflict lastResult={lastResult} />
      </div>
    </li>
  );
}
