import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form } from "@remix-run/react";
import { EditBaseInputs, EditConflict, useEditBase, useSettledResult } from "~/components/ui/edit-base";
import { Button, FormError, TextField } from "~/components/ui/form";
import { Flash } from "~/components/ui/layout";
import { OrgSchema } from "~/lib/schemas";

type RenameResult = SubmissionResult<string[]> & { conflict?: string };

/** The owner's rename form, with the organization's version as its base (ADR 017). */
export function RenameOrganizationForm({ org, lastResult: answer }: { org: { id: string; name: string; version: number }; lastResult?: RenameResult }) {
  const lastResult = useSettledResult(answer);
  const shown = { name: org.name };
  const [form, fields] = useForm({
    id: `rename-organization-${org.id}`,
    lastResult,
    defaultValue: shown,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: OrgSchema }),
  });
  const base = useEditBase({ formId: form.id, form, version: org.version, values: shown, lastResult });
  return (
    <Form method="post" {...getFormProps(form)} className="space-y-3">
      <input type="hidden" name="intent" value="rename-organization" />
      <EditBaseInputs base={base} />
      <EditConflict lastResult={lastResult} />
      {lastResult?.status === "success" ? <Flash>Renamed.</Flash> : null}
      <FormError errors={form.errors} />
      <TextField label="Name" field={fields.name} hint="Members see the new name at once; the slug, and links that use it, stay the same." autoComplete="off" />
      <div className="flex justify-end">
        <Button type="submit" variant="secondary">
          Rename
        </Button>
      </div>
    </Form>
  );
}
