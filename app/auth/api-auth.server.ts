import type { Role } from "~/db/entities";
import { apiError } from "~/lib/http.server";
import type { Actor } from "~/models/activity.server";
import { apiTokenActsAs, checkApiToken, API_TOKEN_PREFIX } from "~/models/api-token.server";
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
  /** an API token's own expiry (null: a session token, or a token that never expires) */
  tokenExpiresAt: Date | null;
}

/**
 * `Authorization: Bearer <token>`: either an org API token (`mc_…`, acts as a member or, read-only, as a viewer of its org)
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
    const check = await checkApiToken(token);
    if (!check.ok && check.reason === "expired") {
      throw apiError(401, "token_expired", `This API token expired on ${check.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC. Create a new one under Settings › API tokens.`);
    }
    if (check.ok) {
      const row = check.token;
      context = { orgId: row.orgId, role: apiTokenActsAs(row.role), actor: { type: "token", id: row.id, name: row.name }, session: null, tokenExpiresAt: row.expiresAt };
    }
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
          tokenExpiresAt: null,
        };
      }
    }
  }
  if (!context) throw apiError(401, "unauthorized", "The token is unknown, expired or revoked.");
  if (!roleAtLeast(context.role, minRole)) {
    const readOnly = context.actor.type === "token" && context.role === "viewer";
    throw apiError(403, "forbidden", readOnly ? "This API token is read-only: it cannot change anything. Create a member token for writes." : `This needs the ${minRole} role; the token acts as ${context.role}.`);
  }
  return context;
}
