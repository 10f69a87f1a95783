import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { setActiveOrg } from "~/auth/session.server";
import { forbidden, isUuid } from "~/lib/http.server";
import { isMember } from "~/models/organization.server";

export async function loader() {
  throw redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, session } = await requireUser(request);
  const orgId = String((await request.formData()).get("orgId") ?? "");
  if (!isUuid(orgId) || !(await isMember({ orgId, userId: user.id }))) forbidden("You are not a member of that organization.");
  await setActiveOrg(session.id, orgId);
  // Ids of boards and tasks belong to one org, so land on the dashboard rather than the old page.
  throw redirect("/");
}
