import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { invalidateUserSessions } from "~/auth/session.server";
import { SettingsErrorBoundary } from "~/components/settings/settings-error";
import { Button, FormError, TextField } from "~/components/ui/form";
import { Card, Flash } from "~/components/ui/layout";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { ChangePasswordSchema, ProfileSchema } from "~/lib/schemas";
import { dispatchIntent } from "~/lib/ui-route.server";
import { changePassword, updateProfile } from "~/models/user.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireUser(request);
  return { username: user.username, displayName: user.displayName, email: user.email, since: user.createdAt.toISOString() };
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, session } = await requireUser(request);
  return dispatchIntent(
    await request.formData(),
    {
      profile: async (formData) => {
        const intent = "profile" as const;
        const submission = parseForm(formData, { schema: ProfileSchema });
        const secret = { hideFields: ["currentPassword"] };
        if (submission.status !== "success") return data({ intent, result: submission.reply(secret), changed: false }, { status: 400 });
        try {
          const { displayName, email, currentPassword } = submission.value;
          await updateProfile({ userId: user.id, displayName, email: email ?? null, currentPassword });
        } catch (error) {
          const failed = replyWithError(submission, error);
          return data({ intent, result: failed.data, changed: false }, failed.init ?? undefined);
        }
        return { intent, result: submission.reply(secret), changed: true };
      },
      password: async (formData) => {
        const intent = "password" as const;
        const submission = parseForm(formData, { schema: ChangePasswordSchema });
        const secret = { hideFields: ["currentPassword", "newPassword", "confirmPassword"] };
        if (submission.status !== "success") return data({ intent, result: submission.reply(secret), changed: false }, { status: 400 });
        try {
          await changePassword({ userId: user.id, current: submission.value.currentPassword, next: submission.value.newPassword });
        } catch (error) {
          const failed = replyWithError(submission, error);
          return data({ intent, result: failed.data, changed: false }, failed.init ?? undefined);
        }
        // A changed password should lock out whoever else might be signed in; this browser stays.
        await invalidateUserSessions(user.id, session.id);
        return { intent, result: submission.reply({ resetForm: true }), changed: true };
      },
    },
    // the password form was posted without an intent before the profile form existed
    { whenMissing: "password" },
  );
}

export const meta: MetaFunction = () => [{ title: "Profile · Settings · Mission Control" }];

export default function ProfileSettings() {
  const account = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [profileForm, profileFields] = useForm({
    id: "profile",
    lastResult: actionData?.intent === "profile" ? actionData.result : undefined,
    defaultValue: { displayName: account.displayName, email: account.email ?? "" },
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ProfileSchema }),
  });
  const [form, fields] = useForm({
    id: "password",
    lastResult: actionData?.intent === "password" ? actionData.result : undefined,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ChangePasswordSchema }),
  });
  return (
    <div className="grid items-start gap-4 md:grid-cols-[1fr_1.4fr]">
      <Card title="Account">
        <dl className="mb-4 grid grid-cols-2 gap-3 text-sm">
          <div>
            <dt className="text-muted">Username</dt>
            <dd className="font-medium">{account.username}</dd>
          </div>
          <div>
            <dt className="text-muted">Member since</dt>
            <dd>{account.since.slice(0, 10)}</dd>
          </div>
        </dl>
        {actionData?.intent === "profile" && actionData.changed ? <Flash>Profile saved.</Flash> : null}
        <Form method="post" {...getFormProps(profileForm)} className="space-y-4">
          <input type="hidden" name="intent" value="profile" />
          <FormError errors={profileForm.errors} />
          <TextField label="Display name" field={profileFields.displayName} autoComplete="name" hint="Shown on tasks, comments and the activity feed." />
          <TextField label="Email" field={profileFields.email} type="email" autoComplete="email" hint="You can sign in with it. Leave empty for none." />
          <TextField
            label="Current password"
            field={profileFields.currentPassword}
            type="password"
            autoComplete="current-password"
            hint="Needed only when you change your email."
          />
          <div className="flex justify-end">
            <Button type="submit" pendingLabel="Saving…">
              Save profile
            </Button>
          </div>
        </Form>
      </Card>
      <Card title="Change password">
        {actionData?.intent === "password" && actionData.changed ? <Flash>Password changed. Every other browser signed in to your account has been signed out.</Flash> : null}
        <Form method="post" {...getFormProps(form)} className="space-y-4">
          <input type="hidden" name="intent" value="password" />
          <FormError errors={form.errors} />
          <TextField label="Current password" field={fields.currentPassword} type="password" autoComplete="current-password" />
          <TextField label="New password" field={fields.newPassword} type="password" autoComplete="new-password" hint="At least 10 characters." />
          <TextField label="Repeat new password" field={fields.confirmPassword} type="password" autoComplete="new-password" />
          <div className="flex justify-end">
            <Button type="submit" pendingLabel="Changing…">
              Change password
            </Button>
          </div>
        </Form>
      </Card>
    </div>
  );
}

export const ErrorBoundary = SettingsErrorBoundary;
