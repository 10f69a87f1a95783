import type { EntityManager } from "typeorm";
import { db, transaction } from "~/db/data-source.server";
import type { Organization, Role, User } from "~/db/entities";
import { generateSecret, hashSecret } from "~/lib/crypto.server";
import { DomainError, isUuid } from "~/lib/http.server";
import { publish } from "~/realtime/publish.server";
import { recordActivity, type Actor } from "./activity.server";
import { revokeLiveTokensCreatedBy } from "./api-token.queries.server";
import { insertBoard } from "./board.queries.server";
import { assertVersion, claimOrganizationVersion, StaleVersionError } from "./row-version.server";
import * as invites from "./invite.queries.server";
import * as queries from "./organization.queries.server";
import { countUsers, findUser } from "./user.queries.server";
import { createUser } from "./user.server";
import { topic } from "~/lib/topics";
import { DEFAULT_TIME_ZONE, isTimeZone } from "~/lib/time-zone";
import { MAX_MONTHLY_BUDGET_USD } from "~/lib/schemas";
import { resetUsageForTimeZone } from "./usage-store.server";

export type { Member, MembershipSummary } from "./organization.queries.server";

export const ROLE_RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export function roleAtLeast(role: Role, min: Role) {
  return ROLE_RANK[role] >= ROLE_RANK[min];
}

function slugify(name: string) {
  const base = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return base || "org";
}

/** Creates the organization, the owner's membership and the default board every org starts with. */
export async function createOrganization(
  manager: EntityManager,
  { name, owner, timeZone }: { name: string; owner: User; timeZone?: string },
): Promise<Organization> {
  const base = slugify(name);
  let slug = base;
  for (let n = 2; await queries.slugTaken(manager, slug); n++) slug = `${base}-${n}`;
  if (timeZone !== undefined && !isTimeZone(timeZone)) throw new DomainError(400, "invalid_time_zone", `"${timeZone.slice(0, 64)}" is not a time zone we know.`, "timeZone");
  const org = await queries.insertOrganization(manager, { name: name.trim(), slug, timeZone: timeZone ?? DEFAULT_TIME_ZONE });
  await queries.insertMembership(manager, { orgId: org.id, userId: owner.id, role: "owner" });
  await insertBoard(manager, {
    orgId: org.id,
    name: "General",
    description: "Tasks created through the API without a board land here.",
    objective: "",
    isDefault: true,
    groupId: null,
    gatewayId: null,
  });
  await recordActivity(manager, {
    orgId: org.id,
    type: "org_created",
    message: `${owner.displayName} created the organization ${org.name}`,
    actor: { type: "user", id: owner.id, name: owner.displayName },
  });
  return org;
}

export async function createOrganizationForUser({ name, user, timeZone }: { name: string; user: User; timeZone?: string }) {
  return transaction((manager) => createOrganization(manager, { name, owner: user, timeZone }));
}

export interface FirstRunInput {
  username: string;
  email?: string | null;
  password: string;
  orgName: string;
  /** the organization's IANA zone (set-up proposes the browser's); UTC when absent */
  timeZone?: string;
}

/**
 * The first owner. Serialised by an advisory lock so two racing set-up forms (or two replicas
 * booting with ADMIN_* env) cannot both create one.
 */
export async function createFirstOwner(input: FirstRunInput): Promise<{ user: User; org: Organization } | null> {
  return transaction(async (manager) => {
    await queries.lockFirstRun(manager);
    if ((await countUsers(manager)) > 0) return null;
    const user = await createUser(manager, {
      username: input.username,
      email: input.email,
      password: input.password,
    });
    const org = await createOrganization(manager, { name: input.orgName, owner: user, timeZone: input.timeZone });
    return { user, org };
  });
}

export function listMembershipsForUser(userId: string): Promise<queries.MembershipSummary[]> {
  return queries.listMembershipsOfUser(db().manager, userId);
}

/**
 * The organization a signed-in user acts in: the session's active one while they still belong to
 * it, else their first by name (a removed member lands in another org, not on an error). `active` is
 * null for a user without any organization.
 */
export async function getActiveMembership({ userId, activeOrgId }: { userId: string; activeOrgId: string | null }): Promise<{
  active: queries.MembershipSummary | null;
  memberships: queries.MembershipSummary[];
}> {
  const memberships = await listMembershipsForUser(userId);
  const active = memberships.find((m) => m.org.id === activeOrgId) ?? memberships[0] ?? null;
  return { active, memberships };
}

/**
 * The organization a setting names (its id or its slug), else the first one created; null when
 * nothing matches (or before the first run).
 */
export async function resolveOrganization(hint: string | undefined): Promise<Organization | null> {
  const q = db().manager;
  if (!hint) return queries.findFirstOrganization(q);
  return (isUuid(hint) ? await queries.findOrganization(q, hint) : null) ?? (await queries.findOrganizationBySlug(q, hint));
}

export function isMember({ orgId, userId }: { orgId: string; userId: string }): Promise<boolean> {
  return queries.isMember(db().manager, { orgId, userId });
}

export function listMembers(orgId: string): Promise<queries.Member[]> {
  return queries.listMembersOfOrg(db().manager, orgId);
}

/** A member's account; a membership row without one is a broken foreign key, not a user error. */
async function requireUserIn(manager: EntityManager, userId: string): Promise<User> {
  const user = await findUser(manager, userId);
  if (!user) throw new Error(`The member ${userId} has no account row.`);
  return user;
}

/**
 * Deletes the organization and everything in it, in one transaction. Only an owner, and only when
 * `confirmName` is the organization's name exactly. Every live stream of it is told to end (members
 * get membership.ended, tokens token.revoked) and every gateway runtime hears gateway.deleted, so the
 * owning process closes the connection and deletes its poll queue.
 */
export async function deleteOrganization({ orgId, confirmName, actorRole }: { orgId: string; confirmName: string; actorRole: Role }) {
  if (actorRole !== "owner") throw new DomainError(403, "forbidden", "Only an owner can delete the organization.");
  return transaction(async (manager) => {
    const org = await queries.lockOrganization(manager, orgId);
    if (!org) throw new DomainError(404, "not_found", "That organization does not exist any more.");
    if (confirmName.trim() !== org.name) {
      throw new DomainError(400, "confirmation_mismatch", `Type the organization's name, ${org.name}, exactly to confirm.`, "confirmName");
    }
    const { userIds, tokenIds, gatewayIds } = await queries.listOrganizationDependents(manager, orgId);
    // Published before the rows go: the NOTIFY carries each whole event, which is what the hubs fan out.
    for (const gatewayId of gatewayIds) {
      await publish(manager, { orgId, type: "gateway.deleted", topics: [topic.gateways, topic.gateway(gatewayId)], data: { gatewayId } });
    }
    if (userIds.length) await publish(manager, { orgId, type: "membership.ended", topics: userIds.map(topic.user), data: { reason: "organization_deleted" } });
    if (tokenIds.length) await publish(manager, { orgId, type: "token.revoked", topics: tokenIds.map(topic.token), data: { reason: "organization_deleted" } });
    await queries.deleteOrganizationRow(manager, orgId);
    return { name: org.name, gatewayIds };
  });
}

/**
 * The owner renames the organization. Names need not be unique (several people may each run an
 * "Acme"); the slug stays, so links and API clients that use it keep working. `expectedVersion`:
 * the version the form was rendered from; a name changed since is refused with a StaleVersionError
 * carrying the stored organization (ADR 017).
 */
export async function renameOrganization({
  orgId,
  name,
  actor,
  actorRole,
  expectedVersion,
}: {
  orgId: string;
  name: string;
  actor: Actor;
  actorRole: Role;
  expectedVersion?: number;
}): Promise<Organization> {
  if (actorRole !== "owner") throw new DomainError(403, "forbidden", "Only an owner can rename the organization.");
  const next = name.trim();
  if (!next) throw new DomainError(400, "invalid_name", "Organization name is required", "name");
  return transaction(async (manager) => {
    const org = await queries.lockOrganization(manager, orgId);
    if (!org) throw new DomainError(404, "not_found", "That organization does not exist any more.");
    assertVersion("organization", org, expectedVersion, () => ({ ...org }));
    if (next === org.name) return org;
    const version = await claimOrganizationVersion(manager, { id: orgId, expected: expectedVersion ?? null });
    if (version === null) throw new StaleVersionError("organization", { ...org });
    await queries.setOrganizationName(manager, { id: orgId, name: next });
    await recordActivity(manager, { orgId, type: "org_renamed", message: `${actor.name} renamed the organization from ${org.name} to ${next}`, actor, data: { from: org.name, to: next } });
    return { ...org, name: next, version };
  });
}

export interface OrganizationUsageChanges {
  /** an IANA zone name */
  timeZone?: string;
  /** USD per calendar month of the zone; null: no budget */
  monthlyBudgetUsd?: number | null;
}

const usd = (value: number) => `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/**
 * An admin or owner sets the organization's time zone and monthly budget (issue 13). Only the given
 * fields are written, from `expectedVersion` as the rename (ADR 017). A new zone re-cuts the usage
 * rollups into the new days in the same transaction (ADR 027: `resetUsageForTimeZone`), so no
 * reader ever sees days of two zones. Each change is recorded in the activity feed.
 */
export async function updateOrganizationUsageSettings({
  orgId,
  changes,
  actor,
  actorRole,
  expectedVersion,
}: {
  orgId: string;
  changes: OrganizationUsageChanges;
  actor: Actor;
  actorRole: Role;
  expectedVersion?: number;
}): Promise<Organization> {
  if (!roleAtLeast(actorRole, "admin")) throw new DomainError(403, "forbidden", "Only an admin or an owner can change the time zone or the budget.");
  const { timeZone, monthlyBudgetUsd } = changes;
  if (timeZone !== undefined && !isTimeZone(timeZone)) throw new DomainError(400, "invalid_time_zone", `"${timeZone.slice(0, 64)}" is not a time zone we know; pick one from the list.`, "timeZone");
  if (monthlyBudgetUsd != null && !(Number.isFinite(monthlyBudgetUsd) && monthlyBudgetUsd >= 0 && monthlyBudgetUsd <= MAX_MONTHLY_BUDGET_USD)) {
    throw new DomainError(400, "invalid_budget", `A monthly budget is between $0 and ${usd(MAX_MONTHLY_BUDGET_USD)}, or empty for none.`, "monthlyBudgetUsd");
  }
  return transaction(async (manager) => {
    const org = await queries.lockOrganization(manager, orgId);
    if (!org) throw new DomainError(404, "not_found", "That organization does not exist any more.");
    assertVersion("organization", org, expectedVersion, () => ({ ...org }));
    const zoneChanged = timeZone !== undefined && timeZone !== org.timeZone;
    const budgetChanged = monthlyBudgetUsd !== undefined && monthlyBudgetUsd !== org.monthlyBudgetUsd;
    if (!zoneChanged && !budgetChanged) return org;
    const version = await claimOrganizationVersion(manager, { id: orgId, expected: expectedVersion ?? null });
    if (version === null) throw new StaleVersionError("organization", { ...org });
    await queries.setOrganizationUsageSettings(manager, { id: orgId, timeZone: zoneChanged ? timeZone : undefined, monthlyBudgetUsd: budgetChanged ? monthlyBudgetUsd : undefined });
    if (zoneChanged) {
      await resetUsageForTimeZone(manager, orgId);
      await recordActivity(manager, {
        orgId,
        type: "org_time_zone_changed",
        message: `${actor.name} changed the organization's time zone from ${org.timeZone} to ${timeZone}`,
        actor,
        data: { from: org.timeZone, to: timeZone },
      });
    }
    if (budgetChanged) {
      const to = monthlyBudgetUsd ?? null;
      await recordActivity(manager, {
        orgId,
        type: "org_budget_changed",
        message: to === null ? `${actor.name} removed the organization's monthly budget` : `${actor.name} set the organization's monthly budget to ${usd(to)}`,
        actor,
        data: { from: org.monthlyBudgetUsd, to },
      });
    }
    return { ...org, timeZone: zoneChanged ? timeZone! : org.timeZone, monthlyBudgetUsd: budgetChanged ? (monthlyBudgetUsd ?? null) : org.monthlyBudgetUsd, version };
  });
}

export async function changeMemberRole({ orgId, userId, role, actor, actorRole }: { orgId: string; userId: string; role: Role; actor: Actor; actorRole: Role }) {
  return transaction(async (manager) => {
    const membership = await queries.findMembership(manager, { orgId, userId });
    if (!membership) throw new DomainError(404, "not_found", "That person is not a member of this organization.");
    if ((role === "owner" || membership.role === "owner") && actorRole !== "owner") {
      throw new DomainError(403, "forbidden", "Only an owner can grant or remove the owner role.");
    }
    if (membership.role === "owner" && role !== "owner" && (await queries.countOwners(manager, orgId)) <= 1) {
      throw new DomainError(400, "last_owner", "An organization needs at least one owner. Make someone else an owner first.");
    }
    await queries.setMemberRole(manager, { orgId, userId, role });
    const user = await requireUserIn(manager, userId);
    await recordActivity(manager, {
      orgId,
      type: "member_role_changed",
      message: `${actor.name} made ${user.displayName} ${role}`,
      actor,
      data: { userId, role },
    });
    // Open streams were opened with the old rights: end them (the page reloads with the new ones).
    await publish(manager, { orgId, type: "membership.ended", topics: [topic.user(userId)], data: { reason: "role-changed" } });
    // a viewer may not write, so neither may the member tokens they made; read-only ones stay
    const revokedTokens = role === "viewer" ? await revokeCreatorTokens(manager, { orgId, user, actor, role: "member", why: "when they became a viewer", reason: "creator-role-changed" }) : [];
    return { revokedTokens };
  });
}

export async function removeMember({ orgId, userId, actor, actorRole }: { orgId: string; userId: string; actor: Actor; actorRole: Role }) {
  return transaction(async (manager) => {
    const membership = await queries.findMembership(manager, { orgId, userId });
    if (!membership) throw new DomainError(404, "not_found", "That person is not a member of this organization.");
    if (membership.role === "owner" && actorRole !== "owner") {
      throw new DomainError(403, "forbidden", "Only an owner can remove an owner.");
    }
    if (membership.role === "owner" && (await queries.countOwners(manager, orgId)) <= 1) {
      throw new DomainError(400, "last_owner", "The last owner cannot leave. Make someone else an owner first.");
    }
    await queries.deleteMembership(manager, { orgId, userId });
    const user = await requireUserIn(manager, userId);
    await recordActivity(manager, {
      orgId,
      type: "member_removed",
      message: `${actor.name} removed ${user.displayName} from the organization`,
      actor,
      data: { userId },
    });
    // Ends the removed member's open streams on this organization.
    await publish(manager, { orgId, type: "membership.ended", topics: [topic.user(userId)], data: { reason: "removed" } });
    // A token acts for the person who made it: their access ends with their membership, or a removed
    // admin would keep the organization through a script's token (and its open streams).
    const revoked = await revokeCreatorTokens(manager, { orgId, user, actor, why: "with their membership", reason: "creator-removed" });
    return { revokedTokens: revoked };
  });
}

/**
 * Revokes the live tokens `user` created in the organization (those of `role` only, if given),
 * records it and ends their streams: a token never does more than its creator may (ADR 021d).
 */
async function revokeCreatorTokens(
  manager: EntityManager,
  { orgId, user, actor, role, why, reason }: { orgId: string; user: User; actor: Actor; role?: "member"; why: string; reason: string },
): Promise<string[]> {
  const revoked = await revokeLiveTokensCreatedBy(manager, { orgId, userId: user.id, at: new Date(), role });
  if (!revoked.length) return [];
  await recordActivity(manager, {
    orgId,
    type: "api_token_revoked",
    message: `${revoked.length === 1 ? `The API token "${revoked[0]!.name}"` : `${revoked.length} API tokens`} of ${user.displayName} ${revoked.length === 1 ? "was" : "were"} revoked ${why}`,
    actor,
    data: { tokenIds: revoked.map((token) => token.id), userId: user.id },
  });
  await publish(manager, { orgId, type: "token.revoked", topics: revoked.map((token) => topic.token(token.id)), data: { reason } });
  return revoked.map((token) => token.name);
}

const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export async function createInvite({ orgId, role, actor }: { orgId: string; role: Exclude<Role, "owner">; actor: Actor }) {
  const token = generateSecret();
  const invite = await transaction(async (manager) => {
    const saved = await invites.insertInvite(manager, {
      orgId,
      role,
      tokenHash: hashSecret(token),
      createdBy: actor.type === "user" ? actor.id : null,
      expiresAt: new Date(Date.now() + INVITE_TTL_MS),
    });
    await recordActivity(manager, {
      orgId,
      type: "invite_created",
      message: `${actor.name} created an invite link for a new ${role}`,
      actor,
      data: { inviteId: saved.id, role },
    });
    return saved;
  });
  return { invite, token };
}

export async function listOpenInvites(orgId: string) {
  return invites.listOpenInvites(db().manager, orgId);
}

export async function revokeInvite({ orgId, inviteId }: { orgId: string; inviteId: string }) {
  const deleted = await invites.deleteUnacceptedInvite(db().manager, { orgId, id: inviteId });
  if (deleted === 0) throw new DomainError(404, "not_found", "That invite does not exist any more.");
}

/** The invite behind a link, with its organization, if it can still be used. */
export async function findUsableInvite(token: string) {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  const invite = await invites.findInviteByHash(db().manager, hashSecret(token));
  if (!invite || invite.acceptedAt || invite.expiresAt.getTime() <= Date.now()) return null;
  const org = await queries.findOrganization(db().manager, invite.orgId);
  return org ? { invite, org } : null;
}

/** The invite behind `token`, locked for this transaction; 410 when it cannot be used. */
async function lockUsableInvite(manager: EntityManager, token: string) {
  const invite = await invites.lockInviteByHash(manager, hashSecret(token));
  if (!invite || invite.acceptedAt || invite.expiresAt.getTime() <= Date.now()) {
    throw new DomainError(410, "invite_used", "This invite link has expired or was already used. Ask for a new one.");
  }
  return invite;
}

async function acceptInviteIn(manager: EntityManager, token: string, user: User): Promise<string> {
  const invite = await lockUsableInvite(manager, token);
  if (!(await queries.isMember(manager, { orgId: invite.orgId, userId: user.id }))) {
    await queries.insertMembership(manager, { orgId: invite.orgId, userId: user.id, role: invite.role });
  }
  await invites.markAccepted(manager, { id: invite.id, userId: user.id, at: new Date() });
  await recordActivity(manager, {
    orgId: invite.orgId,
    type: "member_joined",
    message: `${user.displayName} joined as ${invite.role}`,
    actor: { type: "user", id: user.id, name: user.displayName },
    data: { userId: user.id, role: invite.role },
  });
  return invite.orgId;
}

export function acceptInvite({ token, user }: { token: string; user: User }) {
  return transaction((manager) => acceptInviteIn(manager, token, user));
}

/** A new account and its membership commit together: a used-up invite leaves no orphan account. */
export function signUpWithInvite(input: { token: string; username: string; email?: string | null; password: string }) {
  return transaction(async (manager) => {
    // The invite first: without a usable one, nobody learns whether a username or email is taken
    // (a made-up token used to answer "That username is already taken" for any name).
    await lockUsableInvite(manager, input.token);
    const user = await createUser(manager, input);
    const orgId = await acceptInviteIn(manager, input.token, user);
    return { user, orgId };
  });
}
