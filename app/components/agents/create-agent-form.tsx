import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form } from "@remix-run/react";
import { Button, FormError } from "~/components/ui/form";
import { AgentSchema } from "~/lib/schemas";
import { AgentFields } from "./agent-fields";

/**
 * The "Add an agent" form. Callers key it by the number of agents so that after each success it
 * remounts with the next palette colour as its default (conform keeps the first defaultValue).
 */
export function CreateAgentForm({ lastResult, defaultColor }: { lastResult?: SubmissionResult<string[]> | null; defaultColor: string }) {
  const [form, fields] = useForm({
    id: "create-agent",
    lastResult,
    defaultValue: { role: "Dev", status: "offline", avatarColor: defaultColor },
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: AgentSchema }),
  });
  return (
    <Form method="post" {...getFormProps(form)} className="space-y-4">
      <FormError errors={form.errors} />
      <AgentFields fields={fields} />
      <Button type="submit" className="w-full" pendingLabel="Adding…">
        Add agent
      </Button>
    </Form>
  );
}
