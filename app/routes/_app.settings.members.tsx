import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireOrg } from "~/auth/guards.server";
import { RelativeTime } from "~/components/activity/relative-time";
import { ConfirmButton } from "~/components/settings/confirm-button";
import { CopyField } from "~/components/settings/copy-field";
import { formatExact, ROLE_HINTS, ROLE_LABELS, RoleBadge, RoleSelect } from "~/components/settings/role-select";
import { SettingsErrorBoundary } from "~/components/settings/settings-error";
import { Button, FormError, SelectField } from "~/components/ui/form";
import { Mail } from "lucide-react";
import { EmptyState } from "~/components/ui/empty-state";
import { Card, Flash } from "~/components/ui/layout";
import { getEnv } from "~/env.server";
import { ROLES } from "~/lib/constants";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { InviteSchema } from "~/lib/schemas";
import { dispatchIntent } from "~/lib/ui-route.server";
import { changeMemberRole, createInvite, listMembers, listOpenInvites, removeMember, revokeInvite, roleAtLeast } from "~/models/organization.server";

const ChangeRoleSchema = z.object({
  userId: z.string().uuid("Unknown member"),
  role: z.enum(ROLES, { errorMap: () => ({ message: "Pick a role" }) }),
});
/** " The API token they created was revoked too." — a token never does more than its creator may. */
const revokedSentence = (names: string[]) =>
  names.length === 0 ? "" : ` ${names.length === 1 ? `Their API token "${names[0]}" was` : `Their ${names.length} API tokens were`} revoked too.`;
const RemoveMemberSchema = z.object({ userId: z.string().uuid("Unknown member") });
const RevokeInviteSchema = z.object({ inviteId: z.string().uuid("Unknown invite") });

export async function loader({ request }: LoaderFunctionArgs) {
  const { org, role, user } = await requireOrg(request);
  const isAdmin = roleAtLeast(role, "admin");
  const [members, invites] = await Promise.all([listMembers(org.id), isAdmin ? listOpenInvites(org.id) : Promise.resolve([])]);
  return {
    me: user.id,
    role,
    isAdmin,
    now: Date.now(),
    members: members.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() })),
    invites: invites.map((i) => ({ id: i.id, role: i.role, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString() })),
  };
}

/** Where invite links point: the configured public address, else the address this request came in on. */
function publicOrigin(request: Request) {
  const configured = getEnv().MC_PUBLIC_URL;
  return configured ? new URL(configured).origin : new URL(request.url).origin;
}

export async function action({ request }: ActionFunctionArgs) {
  const { org, role: actorRole, actor } = await requireOrg(request, "admin");
  return dispatchIntent(await request.formData(), {
    "create-invite": async (formData) => {
      const intent = "create-invite" as const;
      const submission = parseForm(formData, { schema: InviteSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      const { token, invite } = await createInvite({ orgId: org.id, role: submission.value.role, actor });
      return {
        intent,
        result: submission.reply({ resetForm: true }),
        invite: { url: `${publicOrigin(request)}/invite/${token}`, role: invite.role, expiresAt: invite.expiresAt.toISOString() },
      };
    },
    "change-role": async (formData) => {
      const intent = "change-role" as const;
      const submission = parseForm(formData, { schema: ChangeRoleSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      let revokedTokens: string[];
      try {
        ({ revokedTokens } = await changeMemberRole({ orgId: org.id, userId: submission.value.userId, role: submission.value.role, actor, actorRole }));
      } catch (error) {
        const failed = replyWithError(submission, error);
        return data({ intent, result: failed.data }, failed.init ?? undefined);
      }
      return { intent, result: submission.reply(), done: `Role changed to ${ROLE_LABELS[submission.value.role]}.${revokedSentence(revokedTokens)}` };
    },
    remove: async (formData) => {
      const intent = "remove" as const;
      const submission = parseForm(formData, { schema: RemoveMemberSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      let revokedTokens: string[];
      try {
        ({ revokedTokens } = await removeMember({ orgId: org.id, userId: submission.value.userId, actor, actorRole }));
      } catch (error) {
        const failed = replyWithError(submission, error);
        return data({ intent, result: failed.data }, failed.init ?? undefined);
      }
      return { intent, result: submission.reply(), done: `Member removed: they no longer see this organization.${revokedSentence(revokedTokens)}` };
    },
    "revoke-invite": async (formData) => {
      const intent = "revoke-invite" as const;
      const submission = parseForm(formData, { schema: RevokeInviteSchema });
      if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
      try {
        await revokeInvite({ orgId: org.id, inviteId: submission.value.inviteId });
      } catch (error) {
        const failed = replyWithError(submission, error);
        return data({ intent, result: failed.data }, failed.init ?? undefined);
      }
      return { intent, result: submission.reply(), done: "Invite revoked; the link no longer works." };
    },
  });
}

export const meta: MetaFunction = () => [{ title: "Members · Settings · Mission Control" }];

export default function MembersSettings() {
  const { me, role, isAdmin, now, members, invites } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const rowError = actionData && actionData.intent !== "create-invite" ? actionData.result?.error?.[""] : undefined;
  const rowFieldErrors = actionData && actionData.intent !== "create-invite" ? Object.entries(actionData.result?.error ?? {}).filter(([key]) => key !== "").flatMap(([, errors]) => errors ?? []) : [];
  const assignable = role === "owner" ? ROLES : ROLES.filter((r) => r !== "owner");
  return (
    <div className="space-y-4">
      {actionData && "done" in actionData && actionData.done ? <Flash>{actionData.done}</Flash> : null}
      {rowError?.length || rowFieldErrors.length ? <Flash kind="error">{[...(rowError ?? []), ...rowFieldErrors].join(". ")}</Flash> : null}

      <Card title={`Members (${members.length})`}>
        {!isAdmin ? <p className="mb-3 text-sm text-muted">Only admins and owners can change roles or invite people.</p> : null}
        <ul className="divide-y divide-border">
          {members.map((member) => {
            const editable = isAdmin && member.userId !== me && (member.role !== "owner" || role === "owner");
            return (
              <li key={member.userId} className="flex flex-wrap items-center gap-3 py-3">
                <span aria-hidden className="grid h-9 w-9 shrink-0 place-items-center rounded-full bg-accent/20 text-sm font-semibold uppercase text-accent">
                  {member.displayName.slice(0, 1)}
                </span>
                <div className="min-w-0 flex-1">
                  <p className="truncate font-medium">
                    {member.displayName}
                    {member.userId === me ? <span className="ml-2 text-xs font-normal text-muted">(you)</span> : null}
                  </p>
                  <p className="truncate text-xs text-muted">
                    @{member.username}
                    {member.email ? ` · ${member.email}` : ""} · joined <RelativeTime at={member.joinedAt} now={now} />
                  </p>
                </div>
                {editable ? (
                  <div className="flex w-full items-center gap-2 sm:w-auto">
                    <Form method="post" className="flex items-center gap-2">
                      <input type="hidden" name="intent" value="change-role" />
                      <input type="hidden" name="userId" value={member.userId} />
                      <RoleSelect id={`role-${member.userId}`} label={`Role of ${member.displayName}`} roles={assignable} defaultValue={member.role} />
                      <Button type="submit" variant="secondary" className="px-2 py-1 text-xs">
                        Save
                      </Button>
                    </Form>
                    <Form method="post" className="ml-auto sm:ml-0">
                      <input type="hidden" name="intent" value="remove" />
                      <input type="hidden" name="userId" value={member.userId} />
                      <ConfirmButton question={`Remove ${member.displayName} from this organization? API tokens they created are revoked too.`}>Remove</ConfirmButton>
                    </Form>
                  </div>
                ) : (
                  <RoleBadge role={member.role} />
                )}
              </li>
            );
          })}
        </ul>
        <dl className="mt-3 grid gap-x-4 gap-y-1 border-t border-border pt-3 text-xs sm:grid-cols-2">
          {ROLES.map((r) => (
            <div key={r} className="flex gap-2">
              <dt className="w-14 shrink-0 font-medium text-fg">{ROLE_LABELS[r]}</dt>
              <dd className="text-muted">{ROLE_HINTS[r]}</dd>
            </div>
          ))}
        </dl>
      </Card>

      {isAdmin ? <InviteCard invites={invites} now={now} /> : null}
    </div>
  );
}

function InviteCard({ invites, now }: { invites: Array<{ id: string; role: string; createdAt: string; expiresAt: string }>; now: number }) {
  const actionData = useActionData<typeof action>();
  const created = actionData && "invite" in actionData ? actionData.invite : undefined;
  const [form, fields] = useForm({
    id: "create-invite",
    lastResult: actionData?.intent === "create-invite" ? actionData.result : undefined,
    defaultValue: { role: "member" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: InviteSchema }),
  });
  return (
    <Card title="Invite people">
      {created ? (
        <div className="mb-4 space-y-2 rounded-md border border-ok/40 bg-ok/10 p-3">
          <CopyField id="invite-link" label={`Invite link for a new ${ROLE_LABELS[created.role]?.toLowerCase()}`} value={created.url} />
          <p className="text-xs text-muted">
            Send this link to the person you are inviting. It works once, until <span className="text-fg">{formatExact(created.expiresAt)}</span>, and is
            shown only now — copy it before leaving this page.
          </p>
        </div>
      ) : null}
      <Form method="post" {...getFormProps(form)} className="flex flex-wrap items-end gap-3">
        <input type="hidden" name="intent" value="create-invite" />
        <FormError errors={form.errors} />
        <div className="min-w-40">
          <SelectField
            label="Role for the new member"
            field={fields.role}
            options={(["admin", "member", "viewer"] as const).map((r) => ({ value: r, label: ROLE_LABELS[r]! }))}
          />
        </div>
        <Button type="submit">Create invite link</Button>
      </Form>

      <h3 className="mb-2 mt-6 text-sm font-medium">Open invites</h3>
      {invites.length === 0 ? (
        <EmptyState compact icon={Mail} title="No open invites">Create an invite link above and send it to the person you want to add; used and expired links leave this list.</EmptyState>
      ) : (
        <ul className="divide-y divide-border rounded-md border border-border">
          {invites.map((invite) => (
            <li key={invite.id} className="flex flex-wrap items-center gap-3 px-3 py-2 text-sm">
              <RoleBadge role={invite.role} />
              <span className="flex-1 text-xs text-muted">
                created <RelativeTime at={invite.createdAt} now={now} /> · expires {formatExact(invite.expiresAt)}
              </span>
              <Form method="post">
                <input type="hidden" name="intent" value="revoke-invite" />
                <input type="hidden" name="inviteId" value={invite.id} />
                <ConfirmButton question="Revoke this invite link? Anyone holding it will no longer be able to join.">Revoke</ConfirmButton>
              </Form>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export const ErrorBoundary = SettingsErrorBoundary;
