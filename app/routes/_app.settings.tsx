import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { requireOrg } from "~/auth/guards.server";
import { SettingsTabs } from "~/components/settings/settings-tabs";
import { PageHeader } from "~/components/ui/layout";
import { roleAtLeast } from "~/models/organization.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  return { orgName: org.name, isAdmin: roleAtLeast(role, "admin") };
}

export const meta: MetaFunction = () => [{ title: "Settings · Mission Control" }];

export default function SettingsLayout() {
  const { orgName, isAdmin } = useLoaderData<typeof loader>();
  const tabs = [
    { to: "/settings/profile", label: "Profile" },
    { to: "/settings/members", label: "Members" },
    ...(isAdmin ? [{ to: "/settings/tokens", label: "API tokens" }] : []),
    { to: "/settings/tags", label: "Tags" },
    { to: "/settings/organization", label: "Organization" },
  ];
  return (
    <div className="mx-auto max-w-4xl">
      <PageHeader title="Settings" description={`Your account and the ${orgName} organization.`} />
      <SettingsTabs tabs={tabs} />
      <Outlet />
    </div>
  );
}
