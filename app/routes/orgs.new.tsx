import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { setActiveOrg } from "~/auth/session.server";
import { AuthShell } from "~/components/auth-shell";
import { Button, FormError, TextField } from "~/components/ui/form";
import { BrowserTimeZoneInput } from "~/components/settings/browser-time-zone";
import { NewOrgSchema } from "~/lib/schemas";
import { parseForm } from "~/lib/forms.server";
import { createOrganizationForUser, listMembershipsForUser } from "~/models/organization.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireUser(request);
  return { hasOrgs: (await listMembershipsForUser(user.id)).length > 0 };
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, session } = await requireUser(request);
  const submission = parseForm(await request.formData(), { schema: NewOrgSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const org = await createOrganizationForUser({ name: submission.value.name, user, timeZone: submission.value.timeZone });
  await setActiveOrg(session.id, org.id);
  throw redirect("/");
}

export const meta: MetaFunction = () => [{ title: "New organization · Mission Control" }];

export default function NewOrgPage() {
  const { hasOrgs } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({ lastResult, onValidate: ({ formData }) => parseWithZod(formData, { schema: NewOrgSchema }) });
  return (
    <AuthShell
      title="New organization"
      subtitle={hasOrgs ? "You become its owner. Switch between organizations from the header." : "You are not a member of any organization yet. Create one, or open an invite link you were sent."}
    >
      <Form method="post" {...getFormProps(form)} className="space-y-4">
        <FormError errors={form.errors} />
        <TextField label="Organization name" field={fields.name} autoFocus />
        <BrowserTimeZoneInput field={fields.timeZone} />
        <Button type="submit" className="w-full">
          Create organization
        </Button>
      </Form>
      {hasOrgs ? (
        <p className="mt-4 text-center text-sm">
          <Link to="/" className="text-accent">
            Back to the dashboard
          </Link>
        </p>
      ) : (
        <Form method="post" action="/logout" className="mt-4 text-center">
          <button className="text-sm text-muted underline">Sign out</button>
        </Form>
      )}
    </AuthShell>
  );
}
