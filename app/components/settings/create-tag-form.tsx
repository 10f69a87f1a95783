import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form } from "@remix-run/react";
import { Button, FormError, TextField } from "~/components/ui/form";
import { TagSchema } from "~/lib/schemas";

/** Keyed by the catalog size by its caller, so each new tag suggests the next palette colour. */
export function CreateTagForm({ lastResult, defaultColor }: { lastResult?: SubmissionResult<string[]> | null; defaultColor: string }) {
  const [form, fields] = useForm({
    id: "create-tag",
    lastResult,
    defaultValue: { color: defaultColor },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: TagSchema }),
  });
  return (
    <Form method="post" {...getFormProps(form)} className="flex flex-wrap items-start gap-3">
      <input type="hidden" name="intent" value="create" />
      <FormError errors={form.errors} />
      <div className="min-w-48 flex-1">
        <TextField label="Name" field={fields.name} placeholder="e.g. backend" />
      </div>
      <TextField label="Colour" field={fields.color} type="color" />
      <Button type="submit" className="sm:mt-6">
        Create tag
      </Button>
    </Form>
  );
}
