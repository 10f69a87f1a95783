import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireOrg } from "~/auth/guards.server";
import { DeleteOrganizationCard } from "~/components/settings/delete-organization";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { dispatchIntent } from "~/lib/ui-route.server";
import { deleteOrganization, renameOrganization, roleAtLeast, updateOrganizationUsageSettings } from "~/models/organization.server";
import type { Organization } from "~/db/entities";
import type { LiveHandle } from "~/components/live/live-provider";
import { RenameOrganizationForm } from "~/components/settings/rename-organization";
import { baseVersionOf, changedFields, conflictReply, quoted, savedReply } from "~/lib/edit-conflict";
import { StaleVersionError } from "~/lib/http.server";
import { OrgSchema, OrgUsageSettingsSchema } from "~/lib/schemas";
import { timeZoneNames } from "~/lib/time-zone";
import { formatUsd } from "~/lib/budget";
import { OrganizationUsageForm, OrganizationUsageSummary, orgUsageFormValues } from "~/components/settings/organization-usage";
import { topic } from "~/lib/topics";
import { ROLE_HINTS, RoleBadge } from "~/components/settings/role-select";
import { SettingsErrorBoundary } from "~/components/settings/settings-error";
import { Card } from "~/components/ui/layout";

export async function loader({ request }: LoaderFunctionArgs) {
  const { org, role, memberships } = await requireOrg(request);
  return {
    org: { id: org.id, name: org.name, slug: org.slug, version: org.version, createdAt: org.createdAt.toISOString(), timeZone: org.timeZone, monthlyBudgetUsd: org.monthlyBudgetUsd },
    role,
    canConfigure: roleAtLeast(role, "admin"),
    zones: roleAtLeast(role, "admin") ? timeZoneNames() : [],
    memberships: memberships.map((m) => ({ id: m.org.id, name: m.org.name, role: m.role })),
  };
}

const ORG_FIELDS = ["name"] as const;
const USAGE_FIELDS = ["timeZone", "monthlyBudgetUsd"] as const;

const DeleteOrganizationSchema = z.object({
  confirmName: z.string({ required_error: "Type the organization's name to confirm" }).max(200),
});

export async function action({ request }: ActionFunctionArgs) {
  // admins set the zone and the budget; renaming and deleting stay the owner's (the models say so)
  const { org, role, actor } = await requireOrg(request, "admin");
  return dispatchIntent(await request.formData(), {
    "organization-usage": async (formData) => {
      const intent = "organization-usage" as const;
      const submission = parseForm(formData, { schema: OrgUsageSettingsSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      const changed = changedFields(formData, USAGE_FIELDS);
      const value = { timeZone: submission.value.timeZone, monthlyBudgetUsd: submission.value.monthlyBudgetUsd ?? null };
      try {
        await updateOrganizationUsageSettings({
          orgId: org.id,
          changes: Object.fromEntries(changed.map((field) => [field, value[field]])),
          actor,
          actorRole: role,
          expectedVersion: baseVersionOf(formData),
        });
      } catch (error) {
        if (error instanceof StaleVersionError) {
          const stored = error.current as Organization;
          const result = conflictReply(submission.reply(), {
            what: "organization",
            formData,
            fields: USAGE_FIELDS,
            current: orgUsageFormValues(stored),
            changed,
            describe: (field) =>
              field === "timeZone"
                ? { label: "time zone", shown: stored.timeZone }
                : { label: "monthly budget", shown: stored.monthlyBudgetUsd === null ? "none" : formatUsd(stored.monthlyBudgetUsd) },
          });
          return data({ intent, result }, { status: 409 });
        }
        const failed = replyWithError(submission, error);
        return data({ intent, result: failed.data }, failed.init ?? undefined);
      }
      return data({ intent, result: savedReply(submission) });
    },
    "rename-organization": async (formData) => {
      const intent = "rename-organization" as const;
      const submission = parseForm(formData, { schema: OrgSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      // one field: it is written only when the person changed it (ADR 017)
      const changed = changedFields(formData, ORG_FIELDS);
      try {
        if (changed.length > 0) await renameOrganization({ orgId: org.id, name: submission.value.name, actor, actorRole: role, expectedVersion: baseVersionOf(formData) });
      } catch (error) {
        if (error instanceof StaleVersionError) {
          const stored = error.current as Organization;
          const result = conflictReply(submission.reply(), {
            what: "organization",
            formData,
            fields: ORG_FIELDS,
            current: { name: stored.name },
            changed,
            describe: () => ({ label: "name", shown: quoted(stored.name) }),
          });
          return data({ intent, result }, { status: 409 });
        }
        const failed = replyWithError(submission, error);
        return data({ intent, result: failed.data }, failed.init ?? undefined);
      }
      return data({ intent, result: savedReply(submission) });
    },
    "delete-organization": async (formData) => {
      const intent = "delete-organization" as const;
      const submission = parseForm(formData, { schema: DeleteOrganizationSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      try {
        await deleteOrganization({ orgId: org.id, confirmName: submission.value.confirmName, actorRole: role });
      } catch (error) {
        const failed = replyWithError(submission, error);
        return data({ intent, result: failed.data }, failed.init ?? undefined);
      }
      // "/" lands in the user's next organization, or on "create an organization" when none is left
      return redirect("/");
    },
  });
}

// a rename (it records activity) reaches other open settings pages; their untouched form follows
export const handle: LiveHandle = { liveTopics: () => [topic.activity] };

export const meta: MetaFunction = () => [{ title: "Organization · Settings · Mission Control" }];

export default function OrganizationSettings() {
  const { org, role, memberships, zones, canConfigure } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="grid items-start gap-4 md:grid-cols-2">
      <Card title="This organization">
        <dl className="space-y-3 text-sm">
          <div>
            <dt className="text-muted">Name</dt>
            <dd className="font-medium">{org.name}</dd>
          </div>
          <div>
            <dt className="text-muted">Slug</dt>
            <dd className="font-mono text-xs">{org.slug}</dd>
          </div>
          <div>
            <dt className="text-muted">Created</dt>
            <dd>{org.createdAt.slice(0, 10)}</dd>
          </div>
          <div>
            <dt className="text-muted">Your role</dt>
            <dd>
              <RoleBadge role={role} /> <span className="text-xs text-muted">— {ROLE_HINTS[role]}</span>
            </dd>
          </div>
        </dl>
        {role === "owner" ? (
          <div className="mt-4 border-t border-border pt-4">
            <RenameOrganizationForm org={org} lastResult={actionData?.intent === "rename-organization" ? actionData.result : undefined} />
          </div>
        ) : (
          <p className="mt-4 text-xs text-muted">Only an owner can rename the organization.</p>
        )}
      </Card>
      <Card title="Time zone and budget">
        {canConfigure ? (
          <OrganizationUsageForm org={org} zones={zones} lastResult={actionData?.intent === "organization-usage" ? actionData.result : undefined} />
        ) : (
          <OrganizationUsageSummary org={org} />
        )}
      </Card>
      <Card
        title="Your organizations"
        actions={
          <Link to="/orgs/new" className="rounded-md bg-accent px-3 py-1.5 text-xs font-medium text-accent-fg hover:brightness-110">
            New organization
          </Link>
        }
      >
        <ul className="divide-y divide-border">
          {memberships.map((m) => (
            <li key={m.id} className="flex items-center gap-2 py-2 text-sm">
              <span className="min-w-0 flex-1 truncate">{m.name}</span>
              <RoleBadge role={m.role} />
              {m.id === org.id ? (
                <span className="w-16 text-right text-xs text-muted">active</span>
              ) : (
                <Form method="post" action="/orgs/switch" className="w-16 text-right">
                  <input type="hidden" name="orgId" value={m.id} />
                  <button type="submit" className="text-xs text-accent hover:underline">
                    Switch
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ul>
        <p className="mt-3 text-xs text-muted">A new organization starts empty with you as its owner; boards, agents and tokens are never shared between organizations.</p>
      </Card>
      {role === "owner" ? (
        <div className="md:col-span-2">
          <DeleteOrganizationCard orgName={org.name} lastResult={actionData?.intent === "delete-organization" ? actionData.result : undefined} />
        </div>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = SettingsErrorBoundary;
