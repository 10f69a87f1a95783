import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { invalidateUserSessions } from "~/auth/session.server";
import { SettingsErrorBoundary } from "~/components/settings/settings-error";
import { Button, FormError, TextField } from "~/components/ui/form";
import { Card, Flash } from "~/components/ui/layout";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { ChangePasswordSchema } from "~/lib/schemas";
import { changePassword } from "~/models/user.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireUser(request);
  return { username: user.username, displayName: user.displayName, email: user.email, since: user.createdAt.toISOString() };
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, session } = await requireUser(request);
  const submission = parseForm(await request.formData(), { schema: ChangePasswordSchema });
  const secret = { hideFields: ["currentPassword", "newPassword", "confirmPassword"] };
  if (submission.status !== "success") return data({ result: submission.reply(secret), changed: false }, { status: 400 });
  try {
    await changePassword({ userId: user.id, current: submission.value.currentPassword, next: submission.value.newPassword });
  } catch (error) {
    const failed = replyWithError(submission, error);
    return data({ result: failed.data, changed: false }, failed.init ?? undefined);
  }
  // A changed password should lock out whoever else might be signed in; this browser stays.
  await invalidateUserSessions(user.id, session.id);
  return { result: submission.reply({ resetForm: true }), changed: true };
}

export const meta: MetaFunction = () => [{ title: "Profile · Settings · Mission Control" }];

export default function ProfileSettings() {
  const account = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult: actionData?.result,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ChangePasswordSchema }),
  });
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  return (
    <div className="grid items-start gap-4 md:grid-cols-[1fr_1.4fr]">
      <Card title="Account">
        <dl className="space-y-3 text-sm">
          <div>
            <dt className="text-muted">Username</dt>
            <dd className="font-medium">{account.username}</dd>
          </div>
          <div>
            <dt className="text-muted">Display name</dt>
            <dd>{account.displayName}</dd>
          </div>
          <div>
            <dt className="text-muted">Email</dt>
            <dd>{account.email ?? <span className="text-muted">not set</span>}</dd>
          </div>
          <div>
            <dt className="text-muted">Member since</dt>
            <dd>{account.since.slice(0, 10)}</dd>
          </div>
        </dl>
      </Card>
      <Card title="Change password">
        {actionData?.changed ? <Flash>Password changed. Every other browser signed in to your account has been signed out.</Flash> : null}
        <Form method="post" {...getFormProps(form)} className="space-y-4">
          <FormError errors={form.errors} />
          <TextField label="Current password" field={fields.currentPassword} type="password" autoComplete="current-password" />
          <TextField label="New password" field={fields.newPassword} type="password" autoComplete="new-password" hint="At least 10 characters." />
          <TextField label="Repeat new password" field={fields.confirmPassword} type="password" autoComplete="new-password" />
          <div className="flex justify-end">
            <Button type="submit" disabled={busy}>
              {busy ? "Changing…" : "Change password"}
            </Button>
          </div>
        </Form>
      </Card>
    </div>
  );
}

export const ErrorBoundary = SettingsErrorBoundary;
