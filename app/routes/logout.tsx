import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { getUserSession } from "~/auth/guards.server";
import { assertSameOrigin } from "~/auth/origin.server";
import { clearSessionCookie, invalidateSession } from "~/auth/session.server";

export async function loader() {
  // Signing out changes state, so it is a POST; a GET just goes home.
  throw redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const auth = await getUserSession(request);
  if (auth) await invalidateSession(auth.session.id);
  throw redirect("/login", { headers: { "Set-Cookie": clearSessionCookie(request) } });
}
