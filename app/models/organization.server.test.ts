import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { InviteEntity, UserEntity } from "~/db/entities";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg, PASSWORD } from "../../test/support/fixtures";
import { listActivity } from "./activity.server";
import { authenticateApiToken, createApiToken } from "./api-token.server";
import {
  acceptInvite,
  changeMemberRole,
  createInvite,
  createOrganizationForUser,
  findUsableInvite,
  getActiveMembership,
  isMember,
  listMembers,
  resolveOrganization,
  listMembershipsForUser,
  listOpenInvites,
  removeMember,
  revokeInvite,
  signUpWithInvite,
} from "./organization.server";

useTestDatabase();

function suffix() {
  return Math.random().toString(36).slice(2, 8);
}

describe("invites", () => {
  it("stores only a hash of the link's token and lists the invite as open", async () => {
    const { org, actor } = await ownerWithOrg();
    const { token, invite } = await createInvite({ orgId: org.id, role: "member", actor });
    expect(invite.tokenHash).not.toBe(token);
    expect(invite.tokenHash).not.toContain(token);
    expect((await listOpenInvites(org.id)).map((i) => i.id)).toEqual([invite.id]);
    expect((await findUsableInvite(token))?.org.id).toBe(org.id);
  });

  it("can be accepted once; the second use gets 410", async () => {
    const { org, actor } = await ownerWithOrg();
    const { token } = await createInvite({ orgId: org.id, role: "viewer", actor });
    const first = await signUpWithInvite({ token, username: `ana-${suffix()}`, password: PASSWORD });
    expect(first.orgId).toBe(org.id);
    expect((await listMembers(org.id)).find((m) => m.userId === first.user.id)?.role).toBe("viewer");
    expect(await findUsableInvite(token)).toBeNull();
    expect(await listOpenInvites(org.id)).toHaveLength(0);

    const other = await ownerWithOrg("other");
    await expect(acceptInvite({ token, user: other.user })).rejects.toMatchObject({ status: 410, code: "invite_used" });
    expect((await listMembershipsForUser(other.user.id)).map((m) => m.org.id)).not.toContain(org.id);
    const joined = await listActivity({ orgId: org.id, type: "member_joined" });
    expect(joined).toHaveLength(1);
  });

  it("lets an existing user accept and join with the invite's role", async () => {
    const { org, actor } = await ownerWithOrg();
    const other = await ownerWithOrg("joiner");
    const { token } = await createInvite({ orgId: org.id, role: "admin", actor });
    expect(await acceptInvite({ token, user: other.user })).toBe(org.id);
    const memberships = await listMembershipsForUser(other.user.id);
    expect(memberships.find((m) => m.org.id === org.id)?.role).toBe("admin");
  });

  it("refuses an expired invite with 410", async () => {
    const { org, actor } = await ownerWithOrg();
    const { token, invite } = await createInvite({ orgId: org.id, role: "member", actor });
    await db().getRepository(InviteEntity).update({ id: invite.id }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await findUsableInvite(token)).toBeNull();
    const other = await ownerWithOrg("late");
    await expect(acceptInvite({ token, user: other.user })).rejects.toMatchObject({ status: 410 });
  });

  it("refuses a revoked invite with 410", async () => {
    const { org, actor } = await ownerWithOrg();
    const { token, invite } = await createInvite({ orgId: org.id, role: "member", actor });
    await revokeInvite({ orgId: org.id, inviteId: invite.id });
    const other = await ownerWithOrg("revoked");
    await expect(acceptInvite({ token, user: other.user })).rejects.toMatchObject({ status: 410 });
    await expect(revokeInvite({ orgId: org.id, inviteId: invite.id })).rejects.toMatchObject({ status: 404 });
  });

  it("leaves no account behind when signing up with a used invite", async () => {
    const { org, actor } = await ownerWithOrg();
    const { token } = await createInvite({ orgId: org.id, role: "member", actor });
    await signUpWithInvite({ token, username: `first-${suffix()}`, password: PASSWORD });
    const username = `second-${suffix()}`;
    await expect(signUpWithInvite({ token, username, email: `${username}@example.com`, password: PASSWORD })).rejects.toMatchObject({ status: 410 });
    expect(await db().getRepository(UserEntity).findOneBy({ username })).toBeNull();
    expect(await db().getRepository(UserEntity).findOneBy({ email: `${username}@example.com` })).toBeNull();
  });

  it("rejects a taken username on sign-up and keeps the invite usable", async () => {
    const { org, actor, user } = await ownerWithOrg();
    const { token } = await createInvite({ orgId: org.id, role: "member", actor });
    await expect(signUpWithInvite({ token, username: user.username.toUpperCase(), password: PASSWORD })).rejects.toMatchObject({
      status: 409,
      field: "username",
    });
    expect(await findUsableInvite(token)).not.toBeNull();
  });

  it("does not say whether a username or email exists to someone without a usable invite", async () => {
    const { org, actor, user } = await ownerWithOrg();
    const { token } = await createInvite({ orgId: org.id, role: "member", actor });
    await signUpWithInvite({ token, username: `first-${suffix()}`, password: PASSWORD });
    const made = { token: "mc_not-a-real-invite-token-000000", password: PASSWORD };
    // a taken name and a free one get the same answer, from a used invite and from a made-up one
    for (const attempt of [made, { token, password: PASSWORD }]) {
      await expect(signUpWithInvite({ ...attempt, username: user.username, email: user.email })).rejects.toMatchObject({ status: 410 });
      await expect(signUpWithInvite({ ...attempt, username: `free-${suffix()}` })).rejects.toMatchObject({ status: 410 });
    }
  });

  it("ignores tokens that are not shaped like one", async () => {
    expect(await findUsableInvite("../../etc/passwd")).toBeNull();
    expect(await findUsableInvite("")).toBeNull();
  });
});

describe("member roles", () => {
  async function orgWithMember(role: "admin" | "member" | "viewer") {
    const owner = await ownerWithOrg();
    const { token } = await createInvite({ orgId: owner.org.id, role, actor: owner.actor });
    const { user } = await signUpWithInvite({ token, username: `${role}-${suffix()}`, password: PASSWORD });
    return { ...owner, member: user, memberActor: { type: "user" as const, id: user.id, name: user.displayName } };
  }

  it("does not let the last owner be demoted or removed", async () => {
    const { org, user, actor } = await ownerWithOrg();
    await expect(changeMemberRole({ orgId: org.id, userId: user.id, role: "admin", actor, actorRole: "owner" })).rejects.toMatchObject({
      status: 400,
      code: "last_owner",
    });
    await expect(removeMember({ orgId: org.id, userId: user.id, actor, actorRole: "owner" })).rejects.toMatchObject({ status: 400, code: "last_owner" });
    expect((await listMembers(org.id)).map((m) => m.role)).toEqual(["owner"]);
  });

  it("lets an owner step down once there is a second owner", async () => {
    const { org, user, actor, member } = await orgWithMember("admin");
    await changeMemberRole({ orgId: org.id, userId: member.id, role: "owner", actor, actorRole: "owner" });
    await changeMemberRole({ orgId: org.id, userId: user.id, role: "member", actor, actorRole: "owner" });
    const roles = Object.fromEntries((await listMembers(org.id)).map((m) => [m.userId, m.role]));
    expect(roles).toEqual({ [user.id]: "member", [member.id]: "owner" });
    expect(await listActivity({ orgId: org.id, type: "member_role_changed" })).toHaveLength(2);
  });

  it("only lets owners grant or take away the owner role", async () => {
    const { org, user, member, memberActor } = await orgWithMember("admin");
    await expect(changeMemberRole({ orgId: org.id, userId: member.id, role: "owner", actor: memberActor, actorRole: "admin" })).rejects.toMatchObject({
      status: 403,
    });
    await expect(removeMember({ orgId: org.id, userId: user.id, actor: memberActor, actorRole: "admin" })).rejects.toMatchObject({ status: 403 });
  });

  it("removes a member, who then no longer sees the organization", async () => {
    const { org, actor, member } = await orgWithMember("member");
    await removeMember({ orgId: org.id, userId: member.id, actor, actorRole: "owner" });
    expect(await listMembershipsForUser(member.id)).toEqual([]);
    await expect(removeMember({ orgId: org.id, userId: member.id, actor, actorRole: "owner" })).rejects.toMatchObject({ status: 404 });
  });

  it("takes the tokens a person made with their membership, and their member tokens when they become a viewer", async () => {
    const { org, actor, member, memberActor } = await orgWithMember("admin");
    const mine = await createApiToken({ orgId: org.id, name: `owner-bot-${suffix()}`, actor });
    const writer = await createApiToken({ orgId: org.id, name: `writer-${suffix()}`, actor: memberActor, creatorRole: "admin", role: "member" });
    const reader = await createApiToken({ orgId: org.id, name: `reader-${suffix()}`, actor: memberActor, creatorRole: "admin", role: "read-only" });

    // admin → member: nothing the tokens do is beyond a member
    expect(await changeMemberRole({ orgId: org.id, userId: member.id, role: "member", actor, actorRole: "owner" })).toEqual({ revokedTokens: [] });
    // member → viewer: the member token goes, the read-only one stays
    expect(await changeMemberRole({ orgId: org.id, userId: member.id, role: "viewer", actor, actorRole: "owner" })).toEqual({ revokedTokens: [writer.apiToken.name] });
    expect(await authenticateApiToken(writer.token)).toBeNull();
    expect(await authenticateApiToken(reader.token)).not.toBeNull();

    // removal: every token they made goes; the owner's stays
    expect(await removeMember({ orgId: org.id, userId: member.id, actor, actorRole: "owner" })).toEqual({ revokedTokens: [reader.apiToken.name] });
    expect(await authenticateApiToken(reader.token)).toBeNull();
    expect(await authenticateApiToken(mine.token)).not.toBeNull();
    expect((await listActivity({ orgId: org.id, type: "api_token_revoked" })).map((event) => event.message)).toEqual([
      `The API token "${reader.apiToken.name}" of ${member.displayName} was revoked with their membership`,
      `The API token "${writer.apiToken.name}" of ${member.displayName} was revoked when they became a viewer`,
    ]);
  });
});

describe("the active membership", () => {
  it("is the session's organization while the user belongs to it, else the first by name, else none", async () => {
    const { user, org } = await ownerWithOrg("active");
    const first = await createOrganizationForUser({ name: "AAA first by name", user });

    expect((await getActiveMembership({ userId: user.id, activeOrgId: org.id })).active).toMatchObject({ org: { id: org.id }, role: "owner" });
    expect((await getActiveMembership({ userId: user.id, activeOrgId: null })).active?.org.id).toBe(first.id);
    const stranger = await ownerWithOrg("stranger");
    // an organization the user does not belong to is never picked, whatever the session says
    const picked = await getActiveMembership({ userId: user.id, activeOrgId: stranger.org.id });
    expect(picked.active?.org.id).toBe(first.id);
    expect(picked.memberships.map((m) => m.org.id)).toEqual([first.id, org.id]);

    expect(await isMember({ orgId: org.id, userId: user.id })).toBe(true);
    expect(await isMember({ orgId: stranger.org.id, userId: user.id })).toBe(false);
  });

  it("is none for a user without any organization", async () => {
    const owner = await ownerWithOrg("lonely");
    const { token } = await createInvite({ orgId: owner.org.id, role: "member", actor: owner.actor });
    const { user } = await signUpWithInvite({ token, username: `lonely-${suffix()}`, password: PASSWORD });
    await removeMember({ orgId: owner.org.id, userId: user.id, actor: owner.actor, actorRole: "owner" });
    expect(await getActiveMembership({ userId: user.id, activeOrgId: owner.org.id })).toEqual({ active: null, memberships: [] });
  });
});

describe("resolveOrganization", () => {
  it("finds the organization a setting names by id or slug, else the first one created", async () => {
    await ownerWithOrg("resolve-earlier");
    const first = (await resolveOrganization(undefined))!;
    const { org } = await ownerWithOrg("resolve");
    expect((await resolveOrganization(org.id))?.id).toBe(org.id);
    expect((await resolveOrganization(org.slug))?.id).toBe(org.id);
    expect((await resolveOrganization(undefined))?.id).toBe(first.id); // still the first, not the newest
    expect(await resolveOrganization("no-such-organization")).toBeNull();
    expect(await resolveOrganization("00000000-0000-0000-0000-000000000000")).toBeNull();
  });
});
