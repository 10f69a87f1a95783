import type { EntityManager } from "typeorm";
import { db, transaction } from "~/db/data-source.server";
import {
  BoardEntity,
  InviteEntity,
  MembershipEntity,
  OrganizationEntity,
  UserEntity,
  type Organization,
  type Role,
  type User,
} from "~/db/entities";
import { generateSecret, hashSecret } from "~/lib/crypto.server";
import { DomainError } from "~/lib/http.server";
import { publish } from "~/realtime/publish.server";
import { recordActivity, type Actor } from "./activity.server";
import { createUser } from "./user.server";

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
  { name, owner }: { name: string; owner: User },
): Promise<Organization> {
  const orgs = manager.getRepository(OrganizationEntity);
  const base = slugify(name);
  let slug = base;
  for (let n = 2; await orgs.existsBy({ slug }); n++) slug = `${base}-${n}`;
  const org = await orgs.save(orgs.create({ name: name.trim(), slug }));
  await manager.getRepository(MembershipEntity).insert({ orgId: org.id, userId: owner.id, role: "owner" });
  await manager.getRepository(BoardEntity).insert({
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

export async function createOrganizationForUser({ name, user }: { name: string; user: User }) {
  return transaction((manager) => createOrganization(manager, { name, owner: user }));
}

export interface FirstRunInput {
  username: string;
  email?: string | null;
  password: string;
  orgName: string;
}

/**
 * The first owner. Serialised by an advisory lock so two racing set-up forms (or two replicas
 * booting with ADMIN_* env) cannot both create one.
 */
export async function createFirstOwner(input: FirstRunInput): Promise<{ user: User; org: Organization } | null> {
  return transaction(async (manager) => {
    await manager.query("select pg_advisory_xact_lock(hashtext('mission-control:first-run'))");
    if ((await manager.getRepository(UserEntity).count()) > 0) return null;
    const user = await createUser(manager, {
      username: input.username,
      email: input.email,
      password: input.password,
    });
    const org = await createOrganization(manager, { name: input.orgName, owner: user });
    return { user, org };
  });
}

export interface MembershipSummary {
  org: Organization;
  role: Role;
}

export async function listMembershipsForUser(userId: string): Promise<MembershipSummary[]> {
  const rows: Array<{ id: string; name: string; slug: string; created_at: Date; role: Role }> = await db().query(
    `select o.id, o.name, o.slug, o.created_at, m.role
       from memberships m join organizations o on o.id = m.org_id
      where m.user_id = $1
      order by o.name`,
    [userId],
  );
  return rows.map((row) => ({
    org: { id: row.id, name: row.name, slug: row.slug, createdAt: row.created_at },
    role: row.role,
  }));
}

export async function listMembers(orgId: string) {
  const rows: Array<{ user_id: string; username: string; display_name: string; email: string | null; role: Role; created_at: Date }> =
    await db().query(
      `select m.user_id, u.username, u.display_name, u.email, m.role, m.created_at
         from memberships m join users u on u.id = m.user_id
        where m.org_id = $1
        order by m.created_at`,
      [orgId],
    );
  return rows.map((row) => ({
    userId: row.user_id,
    username: row.username,
    displayName: row.display_name,
    email: row.email,
    role: row.role,
    joinedAt: row.created_at,
  }));
}

async function countOwners(manager: EntityManager, orgId: string) {
  return manager.getRepository(MembershipEntity).countBy({ orgId, role: "owner" });
}

export async function changeMemberRole({ orgId, userId, role, actor, actorRole }: { orgId: string; userId: string; role: Role; actor: Actor; actorRole: Role }) {
  return transaction(async (manager) => {
    const memberships = manager.getRepository(MembershipEntity);
    const membership = await memberships.findOneBy({ orgId, userId });
    if (!membership) throw new DomainError(404, "not_found", "That person is not a member of this organization.");
    if ((role === "owner" || membership.role === "owner") && actorRole !== "owner") {
      throw new DomainError(403, "forbidden", "Only an owner can grant or remove the owner role.");
    }
    if (membership.role === "owner" && role !== "owner" && (await countOwners(manager, orgId)) <= 1) {
      throw new DomainError(400, "last_owner", "An organization needs at least one owner. Make someone else an owner first.");
    }
    await memberships.update({ orgId, userId }, { role });
    const user = await manager.getRepository(UserEntity).findOneByOrFail({ id: userId });
    await recordActivity(manager, {
      orgId,
      type: "member_role_changed",
      message: `${actor.name} made ${user.displayName} ${role}`,
      actor,
      data: { userId, role },
    });
  });
}

export async function removeMember({ orgId, userId, actor, actorRole }: { orgId: string; userId: string; actor: Actor; actorRole: Role }) {
  return transaction(async (manager) => {
    const memberships = manager.getRepository(MembershipEntity);
    const membership = await memberships.findOneBy({ orgId, userId });
    if (!membership) throw new DomainError(404, "not_found", "That person is not a member of this organization.");
    if (membership.role === "owner" && actorRole !== "owner") {
      throw new DomainError(403, "forbidden", "Only an owner can remove an owner.");
    }
    if (membership.role === "owner" && (await countOwners(manager, orgId)) <= 1) {
      throw new DomainError(400, "last_owner", "The last owner cannot leave. Make someone else an owner first.");
    }
    await memberships.delete({ orgId, userId });
    const user = await manager.getRepository(UserEntity).findOneByOrFail({ id: userId });
    await recordActivity(manager, {
      orgId,
      type: "member_removed",
      message: `${actor.name} removed ${user.displayName} from the organization`,
      actor,
      data: { userId },
    });
    // Ends the removed member's open streams on this organization.
    await publish(manager, { orgId, type: "membership.ended", topics: [`user:${userId}`], data: { reason: "removed" } });
  });
}

const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export async function createInvite({ orgId, role, actor }: { orgId: string; role: Exclude<Role, "owner">; actor: Actor }) {
  const token = generateSecret();
  const invite = await transaction(async (manager) => {
    const repo = manager.getRepository(InviteEntity);
    const saved = await repo.save(
      repo.create({
        orgId,
        role,
        tokenHash: hashSecret(token),
        createdBy: actor.type === "user" ? actor.id : null,
        expiresAt: new Date(Date.now() + INVITE_TTL_MS),
        acceptedAt: null,
        acceptedBy: null,
      }),
    );
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
  return db()
    .getRepository(InviteEntity)
    .createQueryBuilder("i")
    .where("i.org_id = :orgId and i.accepted_at is null and i.expires_at > now()", { orgId })
    .orderBy("i.created_at", "DESC")
    .getMany();
}

export async function revokeInvite({ orgId, inviteId }: { orgId: string; inviteId: string }) {
  const result = await db()
    .createQueryBuilder()
    .delete()
    .from(InviteEntity)
    .where("org_id = :orgId and id = :inviteId and accepted_at is null", { orgId, inviteId })
    .execute();
  if (!result.affected) throw new DomainError(404, "not_found", "That invite does not exist any more.");
}

/** The invite behind a link, with its organization, if it can still be used. */
export async function findUsableInvite(token: string) {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  const invite = await db().getRepository(InviteEntity).findOneBy({ tokenHash: hashSecret(token) });
  if (!invite || invite.acceptedAt || invite.expiresAt.getTime() <= Date.now()) return null;
  const org = await db().getRepository(OrganizationEntity).findOneBy({ id: invite.orgId });
  return org ? { invite, org } : null;
}

async function acceptInviteIn(manager: EntityManager, token: string, user: User): Promise<string> {
  const invites = manager.getRepository(InviteEntity);
  const invite = await invites
    .createQueryBuilder("i")
    .setLock("pessimistic_write")
    .where("i.token_hash = :hash", { hash: hashSecret(token) })
    .getOne();
  if (!invite || invite.acceptedAt || invite.expiresAt.getTime() <= Date.now()) {
    throw new DomainError(410, "invite_used", "This invite link has expired or was already used. Ask for a new one.");
  }
  const memberships = manager.getRepository(MembershipEntity);
  if (!(await memberships.existsBy({ orgId: invite.orgId, userId: user.id }))) {
    await memberships.insert({ orgId: invite.orgId, userId: user.id, role: invite.role });
  }
  await invites.update({ id: invite.id }, { acceptedAt: new Date(), acceptedBy: user.id });
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
    const user = await createUser(manager, input);
    const orgId = await acceptInviteIn(manager, input.token, user);
    return { user, orgId };
  });
}
