import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form } from "@remix-run/react";
import { EditBaseInputs, EditConflict, useEditBase, useSettledResult } from "~/components/ui/edit-base";
import { Button, FormError, SelectField, TextField } from "~/components/ui/form";
import { Flash } from "~/components/ui/layout";
import { budgetFormValue, formatUsd } from "~/lib/budget";
import { OrgUsageSettingsSchema } from "~/lib/schemas";

type UsageResult = SubmissionResult<string[]> & { conflict?: string };

export interface OrgUsageSettings {
  id: string;
  version: number;
  timeZone: string;
  monthlyBudgetUsd: number | null;
}

/** The form's value of each field for a stored organization. */
export function orgUsageFormValues(org: Pick<OrgUsageSettings, "timeZone" | "monthlyBudgetUsd">) {
  return { timeZone: org.timeZone, monthlyBudgetUsd: budgetFormValue(org.monthlyBudgetUsd) };
}

/**
 * Settings › Organization › time zone and budget, for admins and owners; the organization's version is
 * its base (ADR 017), so a zone or budget changed meanwhile is named instead of overwritten.
 */
export function OrganizationUsageForm({ org, zones, lastResult: answer }: { org: OrgUsageSettings; zones: string[]; lastResult?: UsageResult }) {
  const lastResult = useSettledResult(answer);
  const shown = orgUsageFormValues(org);
  const [form, fields] = useForm({
    id: `organization-usage-${org.id}`,
    lastResult,
    defaultValue: shown,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: OrgUsageSettingsSchema }),
  });
  const base = useEditBase({ formId: form.id, form, version: org.version, values: shown, lastResult });
  // a stored zone the list lacks (an alias) stays selectable
  const options = (zones.includes(org.timeZone) ? zones : [org.timeZone, ...zones]).map((zone) => ({ value: zone, label: zone.replaceAll("_", " ") }));
  return (
    <Form method="post" {...getFormProps(form)} className="space-y-4" data-testid="organization-usage-form">
      <input type="hidden" name="intent" value="organization-usage" />
      <EditBaseInputs base={base} />
      <EditConflict lastResult={lastResult} />
      {lastResult?.status === "success" ? <Flash>Saved.</Flash> : null}
      <FormError errors={form.errors} />
      <div>
        <SelectField label="Time zone" field={fields.timeZone} options={options} />
        <p className="mt-1 text-xs text-muted">"Today", months and charts follow it. Changing it re-counts the usage history in the new days.</p>
      </div>
      <TextField
        label="Monthly budget (USD)"
        field={fields.monthlyBudgetUsd}
        inputMode="decimal"
        placeholder="No budget"
        autoComplete="off"
        hint="Spend per calendar month of the time zone. Leave it empty for no budget."
      />
      <div className="flex justify-end">
        <Button type="submit" variant="secondary" pendingLabel="Saving…">
          Save
        </Button>
      </div>
    </Form>
  );
}

/** What members and viewers see instead of the form. */
export function OrganizationUsageSummary({ org }: { org: Pick<OrgUsageSettings, "timeZone" | "monthlyBudgetUsd"> }) {
  return (
    <dl className="space-y-3 text-sm">
      <div>
        <dt className="text-muted">Time zone</dt>
        <dd>{org.timeZone}</dd>
      </div>
      <div>
        <dt className="text-muted">Monthly budget</dt>
        <dd>{org.monthlyBudgetUsd === null ? "None" : formatUsd(org.monthlyBudgetUsd)}</dd>
      </div>
      <p className="text-xs text-muted">Only an admin or an owner can change these.</p>
    </dl>
  );
}
