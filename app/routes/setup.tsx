import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { assertSameOrigin } from "~/auth/origin.server";
import { createSession, sessionCookie } from "~/auth/session.server";
import { AuthShell } from "~/components/auth-shell";
import { Button, FormError, TextField } from "~/components/ui/form";
import { BrowserTimeZoneInput } from "~/components/settings/browser-time-zone";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { SetupSchema } from "~/lib/schemas";
import { createFirstOwner } from "~/models/organization.server";
import { countUsers } from "~/models/user.server";

/** First run only: once an account exists this page sends everyone to sign in. */
export async function loader() {
  if ((await countUsers()) > 0) throw redirect("/login");
  return { ok: true };
}

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const submission = parseForm(await request.formData(), { schema: SetupSchema });
  if (submission.status !== "success") return data(submission.reply({ hideFields: ["password", "confirmPassword"] }), { status: 400 });
  let created;
  try {
    created = await createFirstOwner(submission.value);
  } catch (error) {
    return replyWithError(submission, error);
  }
  if (!created) {
    return data(submission.reply({ formErrors: ["Mission Control is already set up. Sign in instead."] }), { status: 409 });
  }
  const { token, session } = await createSession({ userId: created.user.id, activeOrgId: created.org.id });
  throw redirect("/", { headers: { "Set-Cookie": sessionCookie(request, token, session.expiresAt) } });
}

export const meta: MetaFunction = () => [{ title: "Set up · Mission Control" }];

export default function SetupPage() {
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SetupSchema }),
  });
  return (
    <AuthShell title="Set up Mission Control" subtitle="Create the first owner account and your organization. You can invite others later.">
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <FormError errors={form.errors} />
        <TextField label="Organization name" field={fields.orgName} placeholder="Acme Robotics" autoFocus />
        <BrowserTimeZoneInput field={fields.timeZone} />
        <TextField label="Username" field={fields.username} autoComplete="username" />
        <TextField label="Email (optional)" field={fields.email} type="email" autoComplete="email" />
        <TextField label="Password" field={fields.password} type="password" autoComplete="new-password" hint="At least 10 characters." />
        <TextField label="Repeat password" field={fields.confirmPassword} type="password" autoComplete="new-password" />
        <Button type="submit" className="w-full" pendingLabel="Creating…">
          Create owner and organization
        </Button>
      </Form>
    </AuthShell>
  );
}
