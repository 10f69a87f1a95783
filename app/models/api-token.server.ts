import { db, transaction } from "~/db/data-source.server";
import type { ApiToken, Role } from "~/db/entities";
import type { ApiTokenRole } from "~/lib/schemas";
import { generateSecret, hashSecret } from "~/lib/crypto.server";
import { DomainError } from "~/lib/http.server";
import { isUniqueViolation } from "~/db/rows";
import { publish } from "~/realtime/publish.server";
import { recordActivity, type Actor } from "./activity.server";
import { ROLE_RANK } from "./organization.server";
import * as queries from "./api-token.queries.server";
import { topic } from "~/lib/topics";

export const API_TOKEN_PREFIX = "mc_";
const LAST_USED_RESOLUTION_MS = 60_000;

/** `mc_` + 160 random bits. The plain token is returned once and never stored. */
export async function createApiToken({
  orgId,
  name,
  actor,
  role = "member",
  expiresAt = null,
  creatorRole = "owner",
}: {
  orgId: string;
  name: string;
  actor: Actor;
  role?: ApiTokenRole;
  expiresAt?: Date | null;
  /** the creator's own role in the organization: a token never does more than its creator may */
  creatorRole?: Role;
}) {
  if (!apiTokenRoleAllowed(role, creatorRole)) {
    throw new DomainError(403, "forbidden", `A ${creatorRole} can only create read-only tokens: a token never does more than the person who made it.`);
  }
  if (expiresAt && expiresAt.getTime() <= Date.now()) throw new DomainError(400, "invalid_expiry", "The expiry must be in the future.");
  const token = API_TOKEN_PREFIX + generateSecret();
  // live tokens are told apart by name in the list and in the activity trail; a revoked one's name is free again
  const exists = () => new DomainError(409, "api_token_exists", `A token called "${name.trim()}" already exists. Give this one another name, or revoke the old one first.`, "name");
  const saved = await transaction(async (manager) => {
    if (await queries.liveTokenNameTaken(manager, { orgId, name: name.trim() })) throw exists();
    const row = await queries.insertToken(manager, {
      orgId,
      name: name.trim(),
      tokenHash: hashSecret(token),
      prefix: token.slice(0, 7),
      createdBy: actor.type === "user" ? actor.id : null,
      role,
      expiresAt,
    });
    await recordActivity(manager, {
      orgId,
      type: "api_token_created",
      message: `${actor.name} created the ${role} API token "${row.name}"`,
      actor,
      data: { tokenId: row.id, role, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return row;
  }).catch((error: unknown) => {
    throw isUniqueViolation(error, "api_tokens_org_live_name_key") ? exists() : error;
  });
  return { token, apiToken: saved };
}

export function listApiTokens(orgId: string) {
  return queries.listTokens(db().manager, orgId);
}

export async function revokeApiToken({ orgId, tokenId, actor }: { orgId: string; tokenId: string; actor: Actor }) {
  await transaction(async (manager) => {
    const row = await queries.findToken(manager, { orgId, id: tokenId });
    if (!row) throw new DomainError(404, "not_found", "That API token does not exist.");
    if (row.revokedAt) return;
    await queries.setRevokedAt(manager, row.id, new Date());
    await recordActivity(manager, {
      orgId,
      type: "api_token_revoked",
      message: `${actor.name} revoked the API token "${row.name}"`,
      actor,
      data: { tokenId: row.id },
    });
    // Ends any event stream the token still holds open.
    await publish(manager, { orgId, type: "token.revoked", topics: [topic.token(row.id)], data: { reason: "revoked" } });
  });
}

/** The organization role a token acts with. */
export function apiTokenActsAs(role: ApiTokenRole): Role {
  return role === "read-only" ? "viewer" : "member";
}

/** A member may make member tokens; viewers only read-only ones. */
export function apiTokenRoleAllowed(role: ApiTokenRole, creatorRole: Role): boolean {
  return ROLE_RANK[creatorRole] >= ROLE_RANK[apiTokenActsAs(role)];
}

export function isApiTokenExpired(token: Pick<ApiToken, "expiresAt">, now = Date.now()): boolean {
  return token.expiresAt !== null && token.expiresAt.getTime() <= now;
}

export type ApiTokenCheck = { ok: true; token: ApiToken } | { ok: false; reason: "unknown" } | { ok: false; reason: "expired"; expiresAt: Date };

/**
 * One indexed lookup by hash (no per-row KDF). last_used_at is written at most once a minute per
 * token so a busy agent does not turn every read into a write.
 */
export async function authenticateApiToken(token: string): Promise<ApiToken | null> {
  const check = await checkApiToken(token);
  return check.ok ? check.token : null;
}

/** Like authenticateApiToken, and says why a token is refused: an expired one gets its own sentence. */
export async function checkApiToken(token: string): Promise<ApiTokenCheck> {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 100) return { ok: false, reason: "unknown" };
  const row = await queries.findTokenByHash(db().manager, hashSecret(token));
  if (!row || row.revokedAt) return { ok: false, reason: "unknown" };
  const now = Date.now();
  if (isApiTokenExpired(row, now)) return { ok: false, reason: "expired", expiresAt: row.expiresAt! };
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    row.lastUsedAt = new Date(now);
    await queries.setLastUsedAt(db().manager, row.id, row.lastUsedAt);
  }
  return { ok: true, token: row };
}
