import { redirect } from "@remix-run/node";
import type { Organization, Role, Session, User } from "~/db/entities";
import { forbidden } from "~/lib/http.server";
import type { Actor } from "~/models/activity.server";
import { getActiveMembership, roleAtLeast, type MembershipSummary } from "~/models/organization.server";
import { assertSameOrigin } from "./origin.server";
import { readCookie, SESSION_COOKIE, validateSessionToken, type SessionWithUser } from "./session.server";

const cache = new WeakMap<Request, Promise<SessionWithUser | null>>();

/** The signed-in user for this request, validated once per request. */
export function getUserSession(request: Request): Promise<SessionWithUser | null> {
  let pending = cache.get(request);
  if (!pending) {
    const token = readCookie(request, SESSION_COOKIE);
    pending = token ? validateSessionToken(token) : Promise.resolve(null);
    cache.set(request, pending);
  }
  return pending;
}

function loginRedirect(request: Request): never {
  const url = new URL(request.url);
  const redirectTo = url.pathname + url.search;
  throw redirect(redirectTo === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(redirectTo)}`);
}

export async function requireUser(request: Request): Promise<SessionWithUser> {
  assertSameOrigin(request);
  const auth = await getUserSession(request);
  if (!auth) loginRedirect(request);
  return auth;
}

export interface OrgContext {
  user: User;
  session: Session;
  org: Organization;
  role: Role;
  memberships: MembershipSummary[];
  actor: Actor;
  renewed: boolean;
}

/**
 * The user, their active organization and their role in it. A user without any organization is
 * sent to create one. With `minRole`, anyone below it gets a 403.
 */
export async function requireOrg(request: Request, minRole: Role = "viewer"): Promise<OrgContext> {
  const { user, session, renewed } = await requireUser(request);
  const { active, memberships } = await getActiveMembership({ userId: user.id, activeOrgId: session.activeOrgId });
  if (!active) throw redirect("/orgs/new");
  const context: OrgContext = {
    user,
    session,
    org: active.org,
    role: active.role,
    memberships,
    actor: { type: "user", id: user.id, name: user.displayName },
    renewed,
  };
  requireRole(context, minRole);
  return context;
}

export function requireRole(context: { role: Role }, minRole: Role) {
  if (!roleAtLeast(context.role, minRole)) {
    forbidden(
      minRole === "member"
        ? "Viewers can look but not change anything. Ask an admin for the member role."
        : `This needs the ${minRole} role; you are ${context.role}.`,
    );
  }
}
