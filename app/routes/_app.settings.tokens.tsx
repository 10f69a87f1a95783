import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireOrg } from "~/auth/guards.server";
import { RelativeTime } from "~/components/activity/relative-time";
import { ConfirmButton } from "~/components/settings/confirm-button";
import { CopyField } from "~/components/settings/copy-field";
import { SettingsErrorBoundary } from "~/components/settings/settings-error";
import { Button, FormError, SelectField, TextField } from "~/components/ui/form";
import { KeyRound } from "lucide-react";
import { EmptyState } from "~/components/ui/empty-state";
import { Badge, Card, Flash } from "~/components/ui/layout";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { forbidden } from "~/lib/http.server";
import { ApiTokenSchema, apiTokenExpiresAt } from "~/lib/schemas";
import { dispatchIntent } from "~/lib/ui-route.server";
import { createApiToken, listApiTokens, revokeApiToken } from "~/models/api-token.server";
import { roleAtLeast } from "~/models/organization.server";

const RevokeTokenSchema = z.object({ tokenId: z.string().uuid("Unknown token") });

export async function loader({ request }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  if (!roleAtLeast(role, "admin")) forbidden("API tokens are managed by admins and owners. Ask one of them if a script or agent needs a token.");
  const tokens = await listApiTokens(org.id);
  return {
    now: Date.now(),
    tokens: tokens.map((t) => ({
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      revokedAt: t.revokedAt?.toISOString() ?? null,
      role: t.role,
      expiresAt: t.expiresAt?.toISOString() ?? null,
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { org, actor, role } = await requireOrg(request, "admin");
  return dispatchIntent(await request.formData(), {
    create: async (formData) => {
      const intent = "create" as const;
      const submission = parseForm(formData, { schema: ApiTokenSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      const { name, role: tokenRole } = submission.value;
      let created;
      try {
        created = await createApiToken({ orgId: org.id, name, actor, role: tokenRole, expiresAt: apiTokenExpiresAt(submission.value), creatorRole: role });
      } catch (error) {
        const failed = replyWithError(submission, error);
        return data({ intent, result: failed.data }, { status: failed.init?.status ?? 400 });
      }
      const { token, apiToken } = created;
      return { intent, result: submission.reply({ resetForm: true }), created: { token, name: apiToken.name } };
    },
    revoke: async (formData) => {
      const intent = "revoke" as const;
      const submission = parseForm(formData, { schema: RevokeTokenSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      try {
        await revokeApiToken({ orgId: org.id, tokenId: submission.value.tokenId, actor });
      } catch (error) {
        const failed = replyWithError(submission, error);
        return data({ intent, result: failed.data }, failed.init ?? undefined);
      }
      return { intent, result: submission.reply(), done: "Token revoked. Requests using it now get 401." };
    },
  });
}

export const meta: MetaFunction = () => [{ title: "API tokens · Settings · Mission Control" }];

export default function TokenSettings() {
  const { now, tokens } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "create-token",
    lastResult: actionData?.intent === "create" ? actionData.result : undefined,
    defaultValue: { role: "member", expiry: "90" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ApiTokenSchema }),
  });
  const created = actionData && "created" in actionData ? actionData.created : undefined;
  const revokeErrors = actionData?.intent === "revoke" ? Object.values(actionData.result?.error ?? {}).flatMap((e) => e ?? []) : [];
  return (
    <div className="space-y-4">
      {actionData && "done" in actionData ? <Flash>{actionData.done}</Flash> : null}
      {revokeErrors.length ? <Flash kind="error">{revokeErrors.join(". ")}</Flash> : null}
      <Card title="New API token">
        <p className="mb-3 text-sm text-muted">
          Scripts and agents send a token as <code className="rounded bg-panel-2 px-1">Authorization: Bearer mc_…</code>. A token acts for this whole
          organization — a member token reads and writes, a read-only one only reads — so give each integration its own, let it expire, and revoke
          the ones you no longer use.
        </p>
        {created ? (
          <div className="mb-4 space-y-2 rounded-md border border-warn/50 bg-warn/10 p-3">
            <CopyField id="new-token" label={`Token "${created.name}"`} value={created.token} />
            <p className="text-xs text-warn">Copy it now: it will not be shown again. Only a hash is stored, so a lost token cannot be recovered — revoke it and create a new one.</p>
          </div>
        ) : null}
        <Form method="post" {...getFormProps(form)} className="flex flex-wrap items-start gap-3">
          <input type="hidden" name="intent" value="create" />
          <FormError errors={form.errors} />
          <div className="min-w-56 flex-1 basis-full sm:basis-auto">
            <TextField label="Name" field={fields.name} placeholder="e.g. CI deploy bot" />
          </div>
          <div className="w-40">
            <SelectField
              label="Role"
              field={fields.role}
              options={[
                { value: "member", label: "Member" },
                { value: "read-only", label: "Read-only" },
              ]}
            />
          </div>
          <div className="w-36">
            <SelectField
              label="Expires"
              field={fields.expiry}
              options={[
                { value: "7", label: "In 7 days" },
                { value: "30", label: "In 30 days" },
                { value: "90", label: "In 90 days" },
                { value: "never", label: "Never" },
                { value: "date", label: "On a date…" },
              ]}
            />
          </div>
          <div className="w-40">
            <TextField label="Expiry date" field={fields.expiresOn} type="date" hint="With “On a date…”: the end of that day, UTC." />
          </div>
          <Button type="submit" className="sm:mt-6">
            Create token
          </Button>
        </Form>
      </Card>

      <Card title={`Tokens (${tokens.length})`}>
        {tokens.length === 0 ? (
          <EmptyState compact icon={KeyRound} title="No API tokens yet">Create one above to let a script or an agent use the REST API.</EmptyState>
        ) : (
          <div className="relative -mx-4 overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase tracking-wide text-muted">
                <tr className="border-b border-border">
                  <th className="px-4 py-2 font-medium">Name</th>
                  <th className="hidden px-2 py-2 font-medium sm:table-cell">Prefix</th>
                  <th className="hidden px-2 py-2 font-medium sm:table-cell">Created</th>
                  <th className="px-2 py-2 font-medium">Role</th>
                  <th className="hidden px-2 py-2 font-medium sm:table-cell">Expires</th>
                  <th className="px-2 py-2 font-medium">Last used</th>
                  <th className="px-4 py-2 text-right font-medium">
                    <span className="sr-only">Status</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-border">
                {tokens.map((token) => (
                  <tr key={token.id} className={token.revokedAt || isExpired(token.expiresAt, now) ? "text-muted" : undefined}>
                    <td className="px-4 py-2">
                      <span className="font-medium">{token.name}</span>
                      <span className="block font-mono text-xs text-muted sm:hidden">{token.prefix}…</span>
                    </td>
                    <td className="hidden px-2 py-2 font-mono text-xs sm:table-cell">{token.prefix}…</td>
                    <td className="hidden px-2 py-2 sm:table-cell">
                      <RelativeTime at={token.createdAt} now={now} />
                    </td>
                    <td className="whitespace-nowrap px-2 py-2">
                      <Badge color={token.role === "read-only" ? "#8f9abb" : "#5b8def"}>{token.role === "read-only" ? "Read-only" : "Member"}</Badge>
                      <span className="block text-xs text-muted sm:hidden">{expiryText(token.expiresAt, now)}</span>
                    </td>
                    <td className="hidden px-2 py-2 sm:table-cell">
                      {token.expiresAt ? (
                        <span title={`${token.expiresAt.slice(0, 16).replace("T", " ")} UTC`}>{expiryText(token.expiresAt, now)}</span>
                      ) : (
                        <span className="text-muted">never</span>
                      )}
                    </td>
                    <td className="px-2 py-2">{token.lastUsedAt ? <RelativeTime at={token.lastUsedAt} now={now} /> : <span className="text-muted">never</span>}</td>
                    <td className="px-4 py-2 text-right">
                      {token.revokedAt ? (
                        <span title={`Revoked ${token.revokedAt.slice(0, 16).replace("T", " ")} UTC`}>
                          <Badge color="#8f9abb">Revoked</Badge>
                        </span>
                      ) : isExpired(token.expiresAt, now) ? (
                        <Badge color="#d9822b">Expired</Badge>
                      ) : (
                        <Form method="post" className="inline">
                          <input type="hidden" name="intent" value="revoke" />
                          <input type="hidden" name="tokenId" value={token.id} />
                          <ConfirmButton question={`Revoke "${token.name}"? Anything using it stops working immediately.`}>Revoke</ConfirmButton>
                        </Form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}

function isExpired(expiresAt: string | null, now: number) {
  return expiresAt !== null && Date.parse(expiresAt) <= now;
}

/** "expired 2026-12-01", "in 3 days", "on 2027-03-02": what a person needs to see in the list. */
function expiryText(expiresAt: string | null, now: number) {
  if (!expiresAt) return "never expires";
  const at = Date.parse(expiresAt);
  if (at <= now) return `expired ${expiresAt.slice(0, 10)}`;
  const days = Math.ceil((at - now) / 86_400_000);
  return days <= 1 ? "expires within a day" : days <= 60 ? `expires in ${days} days` : `expires ${expiresAt.slice(0, 10)}`;
}

export const ErrorBoundary = SettingsErrorBoundary;
