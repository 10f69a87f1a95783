import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, isRouteErrorResponse, Link, useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { z } from "zod";
import { getUserSession } from "~/auth/guards.server";
import { assertSameOrigin } from "~/auth/origin.server";
import { createSession, sessionCookie, setActiveOrg } from "~/auth/session.server";
import { AuthShell } from "~/components/auth-shell";
import { ROLE_LABELS } from "~/components/settings/role-select";
import { Button, FormError, TextField } from "~/components/ui/form";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { DomainError } from "~/lib/http.server";
import { EmailSchema, PasswordSchema, UsernameSchema } from "~/lib/schemas";
import { dispatchIntent } from "~/lib/ui-route.server";
import { acceptInvite, findUsableInvite, listMembershipsForUser, signUpWithInvite } from "~/models/organization.server";

const InviteSignUpSchema = z
  .object({
    username: UsernameSchema,
    email: EmailSchema,
    password: PasswordSchema,
    confirmPassword: z.string({ required_error: "Repeat the password" }),
  })
  .refine((value) => value.password === value.confirmPassword, { message: "The passwords do not match", path: ["confirmPassword"] });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const [found, auth] = await Promise.all([findUsableInvite(token), getUserSession(request)]);
  const viewer = auth ? { displayName: auth.user.displayName, username: auth.user.username } : null;
  if (!found) return data({ token, invite: null, viewer, alreadyMember: false }, { status: 410 });
  const alreadyMember = auth ? (await listMembershipsForUser(auth.user.id)).some((m) => m.org.id === found.org.id) : false;
  return {
    token,
    invite: { orgId: found.org.id, orgName: found.org.name, role: found.invite.role, expiresAt: found.invite.expiresAt.toISOString() },
    viewer,
    alreadyMember,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const token = params.token ?? "";
  return dispatchIntent(await request.formData(), {
    join: async () => {
      const auth = await getUserSession(request);
      if (!auth) throw redirect(`/login?redirectTo=${encodeURIComponent(`/invite/${token}`)}`);
      try {
        const orgId = await acceptInvite({ token, user: auth.user });
        await setActiveOrg(auth.session.id, orgId);
      } catch (error) {
        if (error instanceof DomainError) return data({ intent: "join" as const, result: null, error: error.message }, { status: error.status });
        throw error;
      }
      throw redirect("/");
    },
    signup: async (formData) => {
      const intent = "signup" as const;
      const submission = parseForm(formData, { schema: InviteSignUpSchema });
      const secret = { hideFields: ["password", "confirmPassword"] };
      if (submission.status !== "success") return data({ intent, result: submission.reply(secret), error: null }, { status: 400 });
      let created;
      try {
        created = await signUpWithInvite({ token, ...submission.value });
      } catch (error) {
        const failed = replyWithError(submission, error);
        return data({ intent, result: failed.data, error: null }, failed.init ?? undefined);
      }
      const { token: sessionToken, session } = await createSession({ userId: created.user.id, activeOrgId: created.orgId });
      throw redirect("/", { headers: { "Set-Cookie": sessionCookie(request, sessionToken, session.expiresAt) } });
    },
  }, { whenMissing: "signup" });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.invite ? `Join ${data.invite.orgName} · Mission Control` : "Invite · Mission Control" },
  // The token is a credential: keep it out of Referer headers sent to other sites ("no-referrer"
  // would also blank the Origin header our own POST is checked against).
  { name: "referrer", content: "same-origin" },
];

export default function InvitePage() {
  const { token, invite, viewer, alreadyMember } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult: actionData?.intent === "signup" ? actionData.result : undefined,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: InviteSignUpSchema }),
  });

  if (!invite) {
    return (
      <AuthShell title="This invite link cannot be used" subtitle="It has expired, was already used, or was revoked by an admin.">
        <p className="text-sm text-muted">Ask an admin of the organization for a new invite link. Links work once and for seven days.</p>
        <p className="mt-4 text-center text-sm">
          <Link to={viewer ? "/" : "/login"} className="text-accent">
            {viewer ? "Back to the dashboard" : "Sign in instead"}
          </Link>
        </p>
      </AuthShell>
    );
  }

  const roleLabel = ROLE_LABELS[invite.role]?.toLowerCase() ?? invite.role;

  if (viewer) {
    return (
      <AuthShell title={`Join ${invite.orgName}`} subtitle={`You have been invited as ${roleLabel === "admin" ? "an" : "a"} ${roleLabel}.`}>
        {actionData?.error ? <FormError errors={[actionData.error]} /> : null}
        {alreadyMember ? (
          <div className="space-y-4">
            <p className="text-sm text-muted">You are already a member of {invite.orgName}; there is nothing to accept.</p>
            <Form method="post" action="/orgs/switch">
              <input type="hidden" name="orgId" value={invite.orgId} />
              <Button type="submit" className="w-full">
                Open {invite.orgName}
              </Button>
            </Form>
          </div>
        ) : (
          <Form method="post" className="space-y-4">
            <input type="hidden" name="intent" value="join" />
            <p className="text-sm">
              Signed in as <span className="font-medium">{viewer.displayName}</span> <span className="text-muted">(@{viewer.username})</span>.
            </p>
            <Button type="submit" className="w-full" pendingLabel="Joining…">
              {`Join ${invite.orgName} as ${roleLabel}`}
            </Button>
          </Form>
        )}
        <Form method="post" action="/logout" className="mt-4 text-center">
          <button type="submit" className="text-xs text-muted underline">
            Not you? Sign out
          </button>
        </Form>
      </AuthShell>
    );
  }

  return (
    <AuthShell
      title={`Join ${invite.orgName}`}
      subtitle={`Create an account to join as ${roleLabel === "admin" ? "an" : "a"} ${roleLabel}. This link works once.`}
    >
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <input type="hidden" name="intent" value="signup" />
        <FormError errors={form.errors} />
        <TextField label="Username" field={fields.username} autoComplete="username" autoFocus />
        <TextField label="Email (optional)" field={fields.email} type="email" autoComplete="email" />
        <TextField label="Password" field={fields.password} type="password" autoComplete="new-password" hint="At least 10 characters." />
        <TextField label="Repeat password" field={fields.confirmPassword} type="password" autoComplete="new-password" />
        <Button type="submit" className="w-full" pendingLabel="Creating account…">
          Create account and join
        </Button>
      </Form>
      <p className="mt-4 text-center text-xs text-muted">
        Already have an account?{" "}
        <Link to={`/login?redirectTo=${encodeURIComponent(`/invite/${token}`)}`} className="text-accent">
          Sign in to accept
        </Link>
      </p>
    </AuthShell>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : "Something went wrong while opening this invite. Reload the page and try again.";
  return (
    <AuthShell title="Invite unavailable">
      <p className="text-sm text-muted">{message}</p>
      <p className="mt-4 text-center text-sm">
        <Link to="/login" className="text-accent">
          Go to sign in
        </Link>
      </p>
    </AuthShell>
  );
}
