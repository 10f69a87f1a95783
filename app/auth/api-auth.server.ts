import type { Role } from "~/db/entities";
import { apiError } from "~/lib/http.server";
import type { Actor } from "~/models/activity.server";
import { authenticateApiToken, API_TOKEN_PREFIX } from "~/models/api-token.server";
import { getActiveMembership, roleAtLeast } from "~/models/organization.server";
import { validateSessionToken } from "./session.server";

export interface ApiContext {
  orgId: string;
  role: Role;
  actor: Actor;
  /**
   * The sign-in session behind a session token (null for an API token): what the token opens, a
   * live stream above all, must end with that session's sign-out or expiry, as a cookie's does.
   */
  session: { id: string; expiresAt: Date } | null;
}

/**
 * `Authorization: Bearer <token>`: either an org API token (`mc_…`, acts as a member of its org)
 * or a session token from `POST /api/auth/login` (acts as that user in their active org).
 * Throws a JSON 401/403 that the API routes pass straight through.
 */
export async function requireApiAuth(request: Request, minRole: Role = "viewer"): Promise<ApiContext> {
  const header = request.headers.get("Authorization");
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match) {
    throw apiError(401, "unauthorized", "Send an API token as 'Authorization: Bearer <token>'. Create one under Settings › API tokens.");
  }
  const token = match[1]!;
  let context: ApiContext | null = null;
  if (token.startsWith(API_TOKEN_PREFIX)) {
    const row = await authenticateApiToken(token);
    if (row) context = { orgId: row.orgId, role: "member", actor: { type: "token", id: row.id, name: row.name }, session: null };
  } else {
    const auth = await validateSessionToken(token);
    if (auth) {
      const { active } = await getActiveMembership({ userId: auth.user.id, activeOrgId: auth.session.activeOrgId });
      if (active) {
        context = {
          orgId: active.org.id,
          role: active.role,
          actor: { type: "user", id: auth.user.id, name: auth.user.displayName },
          session: { id: auth.session.id, expiresAt: auth.session.expiresAt },
        };
      }
    }
  }
  if (!context) throw apiError(401, "unauthorized", "The token is unknown, expired or revoked.");
  if (!roleAtLeast(context.role, minRole)) {
    throw apiError(403, "forbidden", `This needs the ${minRole} role; the token acts as ${context.role}.`);
  }
  return context;
}
