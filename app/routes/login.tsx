import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { getUserSession } from "~/auth/guards.server";
import { assertSameOrigin } from "~/auth/origin.server";
import { clearLoginFailures, firstReachedLimit, loginLimitsFor, recordFailure } from "~/auth/rate-limit.server";
import { createSession, sessionCookie } from "~/auth/session.server";
import { AuthShell } from "~/components/auth-shell";
import { Button, FormError, TextField } from "~/components/ui/form";
import { LoginSchema } from "~/lib/schemas";
import { parseForm } from "~/lib/forms.server";
import { safeRedirectTarget } from "~/lib/safe-redirect";
import { getActiveMembership } from "~/models/organization.server";
import { countUsers, verifyLogin } from "~/models/user.server";

export async function loader({ request }: LoaderFunctionArgs) {
  if ((await countUsers()) === 0) throw redirect("/setup");
  if (await getUserSession(request)) throw redirect("/");
  return { ok: true };
}

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const formData = await request.formData();
  const submission = parseForm(formData, { schema: LoginSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const { username, password, redirectTo } = submission.value;

  const limits = await loginLimitsFor(String((context as { clientIp?: string }).clientIp ?? "unknown"), username);
  const state = await firstReachedLimit(limits);
  if (state) {
    const minutes = Math.max(1, Math.ceil(state.retryAfterSeconds / 60));
    return data(submission.reply({ formErrors: [`Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`] }), {
      status: 429,
      headers: { "Retry-After": String(state.retryAfterSeconds) },
    });
  }

  const user = await verifyLogin(username, password);
  if (!user) {
    await Promise.all(limits.map(recordFailure));
    return data(submission.reply({ formErrors: ["That username and password do not match an account."], hideFields: ["password"] }), { status: 401 });
  }
  await clearLoginFailures(limits);
  const { active } = await getActiveMembership({ userId: user.id, activeOrgId: null });
  const { token, session } = await createSession({ userId: user.id, activeOrgId: active?.org.id ?? null });
  throw redirect(safeRedirectTarget(redirectTo, "/"), { headers: { "Set-Cookie": sessionCookie(request, token, session.expiresAt) } });
}

export const meta: MetaFunction = () => [{ title: "Sign in · Mission Control" }];

export default function LoginPage() {
  useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const [form, fields] = useForm({
    lastResult,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: LoginSchema }),
  });
  return (
    <AuthShell title="Sign in" subtitle="Welcome back to the control room.">
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? "/"} />
        <FormError errors={form.errors} />
        <TextField label="Username or email" field={fields.username} autoComplete="username" autoFocus />
        <TextField label="Password" field={fields.password} type="password" autoComplete="current-password" />
        <Button type="submit" className="w-full" pendingLabel="Signing in…">
          Sign in
        </Button>
      </Form>
      <p className="mt-4 text-center text-xs text-muted">
        No account? Ask an admin of your organization for an invite link.
      </p>
    </AuthShell>
  );
}
