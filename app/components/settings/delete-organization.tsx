import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { Form } from "@remix-run/react";
import { Button, FormError, TextField } from "~/components/ui/form";
import { Card } from "~/components/ui/layout";

/** The owner's danger zone: what goes, and a form that needs the organization's name typed. */
export function DeleteOrganizationCard({ orgName, lastResult }: { orgName: string; lastResult?: SubmissionResult<string[]> }) {
  const [form, fields] = useForm({ id: "delete-organization", lastResult });
  return (
    <Card title="Delete this organization">
      <div className="space-y-3 text-sm">
        <p>
          Deleting <strong>{orgName}</strong> removes, at once and for good: every board and task, every agent and its sessions, every gateway (their
          connections close and their polls stop), all activity, every API token and pending invite, and every member's access. Accounts stay; people
          keep their other organizations.
        </p>
        <p className="text-danger">This cannot be undone.</p>
        <Form method="post" {...getFormProps(form)} className="space-y-3">
          <input type="hidden" name="intent" value="delete-organization" />
          <FormError errors={form.errors} />
          <TextField label={`Type ${orgName} to confirm`} field={fields.confirmName} autoComplete="off" spellCheck={false} />
          <div className="flex justify-end">
            <Button type="submit" className="!bg-danger !text-white">
              Delete organization
            </Button>
          </div>
        </Form>
      </div>
    </Card>
  );
}
