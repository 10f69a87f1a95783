import { z } from "zod";
import { MembershipEntity, OrganizationEntity, ROLES, type Membership, type Organization, type Role } from "~/db/entities";
import { col, rowDecoder, type Queryable } from "~/db/rows";

/* Every statement on `organizations` and `memberships` (who belongs to which organization, as what). */

export function slugTaken(q: Queryable, slug: string): Promise<boolean> {
  return q.getRepository(OrganizationEntity).existsBy({ slug });
}

export function insertOrganization(q: Queryable, org: Pick<Organization, "name" | "slug"> & Partial<Pick<Organization, "timeZone">>): Promise<Organization> {
  const repo = q.getRepository(OrganizationEntity);
  return repo.save(repo.create(org));
}

export function findOrganization(q: Queryable, id: string): Promise<Organization | null> {
  return q.getRepository(OrganizationEntity).findOneBy({ id });
}

export function findOrganizationBySlug(q: Queryable, slug: string): Promise<Organization | null> {
  return q.getRepository(OrganizationEntity).findOneBy({ slug });
}

/** The organization created first (what a single-organization installation means by "the" organization). */
export async function findFirstOrganization(q: Queryable): Promise<Organization | null> {
  return (await q.getRepository(OrganizationEntity).find({ order: { createdAt: "ASC" }, take: 1 }))[0] ?? null;
}

/** Serialises first-run set-up until the transaction ends (two racing set-up forms, two booting replicas). */
export async function lockFirstRun(q: Queryable): Promise<void> {
  await q.query("select pg_advisory_xact_lock(hashtext('mission-control:first-run'))");
}

export async function insertMembership(q: Queryable, membership: Pick<Membership, "orgId" | "userId" | "role">): Promise<void> {
  await q.getRepository(MembershipEntity).insert(membership);
}

export function findMembership(q: Queryable, { orgId, userId }: { orgId: string; userId: string }): Promise<Membership | null> {
  return q.getRepository(MembershipEntity).findOneBy({ orgId, userId });
}

export function isMember(q: Queryable, { orgId, userId }: { orgId: string; userId: string }): Promise<boolean> {
  return q.getRepository(MembershipEntity).existsBy({ orgId, userId });
}

export function countOwners(q: Queryable, orgId: string): Promise<number> {
  return q.getRepository(MembershipEntity).countBy({ orgId, role: "owner" });
}

export async function setMemberRole(q: Queryable, { orgId, userId, role }: { orgId: string; userId: string; role: Role }): Promise<void> {
  await q.getRepository(MembershipEntity).update({ orgId, userId }, { role });
}

export async function deleteMembership(q: Queryable, { orgId, userId }: { orgId: string; userId: string }): Promise<void> {
  await q.getRepository(MembershipEntity).delete({ orgId, userId });
}

const role = z.enum(ROLES);

export interface MembershipSummary {
  org: Organization;
  role: Role;
}

const userMembershipRow = rowDecoder(
  "memberships: of a user",
  z
    .object({ id: col.uuid, name: col.text, slug: col.text, version: col.int, createdAt: col.timestamp, timeZone: col.text, monthlyBudgetUsd: z.number().nullable(), role })
    .transform(({ role, ...org }): MembershipSummary => ({ org, role })),
);

/** The organizations a user belongs to, by name, with their role in each. */
export async function listMembershipsOfUser(q: Queryable, userId: string): Promise<MembershipSummary[]> {
  return userMembershipRow.all(
    await q.query(
      `select o.id, o.name, o.slug, o.version, o.created_at as "createdAt", o.time_zone as "timeZone", o.monthly_budget_usd as "monthlyBudgetUsd", m.role
         from memberships m join organizations o on o.id = m.org_id
        where m.user_id = $1
        order by o.name`,
      [userId],
    ),
  );
}

export interface Member {
  userId: string;
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  joinedAt: Date;
}

const memberRow = rowDecoder(
  "memberships: of an organization",
  z.object({
    userId: col.uuid,
    username: col.text,
    displayName: col.text,
    email: col.text.nullable(),
    role,
    joinedAt: col.timestamp,
  }) satisfies z.ZodType<Member>,
);

/** The organization's members, longest-standing first. */
export async function listMembersOfOrg(q: Queryable, orgId: string): Promise<Member[]> {
  return memberRow.all(
    await q.query(
      `select m.user_id as "userId", u.username, u.display_name as "displayName", u.email, m.role, m.created_at as "joinedAt"
         from memberships m join users u on u.id = m.user_id
        where m.org_id = $1
        order by m.created_at`,
      [orgId],
    ),
  );
}

const idRow = rowDecoder("organization ids", z.object({ id: col.uuid }));

/** Holds the organization's row until commit: a delete and a concurrent write to it are serialised. */
export async function lockOrganization(q: Queryable, id: string): Promise<Organization | null> {
  const rows: unknown = await q.query("select id from organizations where id = $1 for update", [id]);
  return idRow.first(rows) ? findOrganization(q, id) : null;
}

export async function setOrganizationName(q: Queryable, { id, name }: { id: string; name: string }): Promise<void> {
  await q.query("update organizations set name = $2 where id = $1", [id, name]);
}

/** The zone and the budget of Settings › Organization; a field left undefined is not written. */
export async function setOrganizationUsageSettings(q: Queryable, { id, timeZone, monthlyBudgetUsd }: { id: string; timeZone?: string; monthlyBudgetUsd?: number | null }): Promise<void> {
  await q.query(
    `update organizations
        set time_zone = case when $2 then $3 else time_zone end,
            monthly_budget_usd = case when $4 then $5::double precision else monthly_budget_usd end
      where id = $1`,
    [id, timeZone !== undefined, timeZone ?? null, monthlyBudgetUsd !== undefined, monthlyBudgetUsd ?? null],
  );
}

/** What ends with the organization, read before it goes: its members, API tokens and gateways. */
export async function listOrganizationDependents(q: Queryable, orgId: string): Promise<{ userIds: string[]; tokenIds: string[]; gatewayIds: string[] }> {
  const ids = async (sql: string) => idRow.all(await q.query(sql, [orgId])).map((row) => row.id);
  return {
    userIds: await ids("select user_id as id from memberships where org_id = $1"),
    tokenIds: await ids("select id from api_tokens where org_id = $1 and revoked_at is null"),
    gatewayIds: await ids("select id from gateways where org_id = $1"),
  };
}

/** Every row of the organization goes with it: each table references organizations on delete cascade. */
export async function deleteOrganizationRow(q: Queryable, id: string): Promise<void> {
  await q.getRepository(OrganizationEntity).delete({ id });
}
