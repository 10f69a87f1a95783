import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { requireOrg } from "~/auth/guards.server";
import { sessionCookie, SESSION_COOKIE, readCookie } from "~/auth/session.server";
import { AppShell } from "~/components/app-shell";
import { LiveProvider, type LiveHandle } from "~/components/live/live-provider";
import { NavigationProgress } from "~/components/navigation-progress";
import { topic } from "~/lib/topics";

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireOrg(request);
  const payload = {
    user: { displayName: ctx.user.displayName, username: ctx.user.username },
    org: { id: ctx.org.id, name: ctx.org.name },
    role: ctx.role,
    orgs: ctx.memberships.map((m) => ({ id: m.org.id, name: m.org.name, role: m.role })),
  };
  // Sliding expiry: when the session was pushed out, send the cookie again with the new date.
  const token = readCookie(request, SESSION_COOKIE);
  if (ctx.renewed && token) {
    return data(payload, { headers: { "Set-Cookie": sessionCookie(request, token, ctx.session.expiresAt) } });
  }
  return payload;
}

/**
 * Every signed-in page follows at least the alerts feed, so each has a stream: its header shows
 * Live / Reconnecting…, and a sign-out elsewhere reaches it (ADR 024).
 */
export const handle: LiveHandle = { liveTopics: () => [topic.alerts] };

export default function AppLayout() {
  const shell = useLoaderData<typeof loader>();
  return (
    <LiveProvider>
      <NavigationProgress />
      <AppShell {...shell}>
        <Outlet />
      </AppShell>
    </LiveProvider>
  );
}
