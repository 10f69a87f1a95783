import { describe, expect, it } from "vitest";
import { createSession, SESSION_COOKIE } from "~/auth/session.server";
import type { User } from "~/db/entities";
import { action as agentAction } from "~/routes/_app.agents.$agentId";
import { action as agentsAction } from "~/routes/_app.agents._index";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg, PASSWORD } from "../../test/support/fixtures";
import { listActivity } from "./activity.server";
import { createAgent, deleteAgent, getAgent, listAgents, updateAgent } from "./agent.server";
import { createInvite, signUpWithInvite } from "./organization.server";

useTestDatabase();

describe("agents", () => {
  it("creates an agent with a palette colour and records who added it", async () => {
    const { org, actor } = await ownerWithOrg();
    const agent = await createAgent({ orgId: org.id, name: "  Nova ", role: "Dev", actor });
    expect(agent).toMatchObject({ name: "Nova", status: "offline", source: "manual" });
    expect(agent.avatarColor).toMatch(/^#[0-9a-f]{6}$/);
    expect((await listActivity({ orgId: org.id, agentId: agent.id })).map((e) => e.type)).toEqual(["agent_created"]);
  });

  it("records a status change separately from other edits", async () => {
    const { org, actor } = await ownerWithOrg();
    const agent = await createAgent({ orgId: org.id, name: "Patch", role: "Ops", actor });
    const result = await updateAgent({ orgId: org.id, id: agent.id, changes: { status: "busy", name: "Patchy" }, actor });
    expect(result.statusChanged).toBe(true);
    const types = (await listActivity({ orgId: org.id, agentId: agent.id })).map((e) => e.type);
    expect(types.sort()).toEqual(["agent_created", "agent_status_changed", "agent_updated"]);
  });

  it("keeps agents inside their organization", async () => {
    const a = await ownerWithOrg("a");
    const b = await ownerWithOrg("b");
    const agent = await createAgent({ orgId: a.org.id, name: "Nova", role: "Dev", actor: a.actor });
    expect(await getAgent({ orgId: b.org.id, id: agent.id })).toBeNull();
    await expect(updateAgent({ orgId: b.org.id, id: agent.id, changes: { name: "x" }, actor: b.actor })).rejects.toMatchObject({ status: 404 });
    await expect(deleteAgent({ orgId: b.org.id, id: agent.id, actor: b.actor })).rejects.toMatchObject({ status: 404 });
    await deleteAgent({ orgId: a.org.id, id: agent.id, actor: a.actor });
    expect(await listAgents(a.org.id)).toEqual([]);
  });
});

/* Route-level: the actions behind /agents, called the way Remix calls them. */
describe("agent routes", () => {
  async function memberOf(role: "member" | "viewer") {
    const owner = await ownerWithOrg();
    const { token } = await createInvite({ orgId: owner.org.id, role, actor: owner.actor });
    const { user } = await signUpWithInvite({ token, username: `${role}-${Math.random().toString(36).slice(2, 8)}`, password: PASSWORD });
    return { ...owner, member: user };
  }

  async function post(user: User, orgId: string, path: string, fields: Record<string, string>) {
    const { token } = await createSession({ userId: user.id, activeOrgId: orgId });
    return new Request(`http://localhost${path}`, {
      method: "POST",
      headers: { Cookie: `${SESSION_COOKIE}=${token}`, Origin: "http://localhost", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
  }

  async function statusOf(promise: Promise<unknown>): Promise<number> {
    try {
      const value = await promise;
      const init = (value as { init?: ResponseInit | null })?.init;
      return init?.status ?? 200;
    } catch (thrown) {
      if (thrown instanceof Response) return thrown.status;
      throw thrown;
    }
  }

  it("gives a viewer 403 from the create action and creates nothing", async () => {
    const { org, member } = await memberOf("viewer");
    const request = await post(member, org.id, "/agents", { name: "Nova", role: "Dev", status: "online", avatarColor: "#3b82f6" });
    const refusal = await agentsAction({ request, params: {}, context: {} }).catch((thrown: unknown) => thrown);
    expect(refusal).toBeInstanceOf(Response);
    expect((refusal as Response).status).toBe(403);
    // The role check refused it, not the Origin check.
    expect(await (refusal as Response).text()).toContain("Viewers can look but not change anything");
    expect(await listAgents(org.id)).toEqual([]);
  });

  it("gives a viewer 403 from the edit and delete actions", async () => {
    const { org, actor, member } = await memberOf("viewer");
    const agent = await createAgent({ orgId: org.id, name: "Nova", role: "Dev", actor });
    const update = await post(member, org.id, `/agents/${agent.id}`, { intent: "update", name: "Hacked", role: "Dev", status: "online" });
    expect(await statusOf(agentAction({ request: update, params: { agentId: agent.id }, context: {} }))).toBe(403);
    const remove = await post(member, org.id, `/agents/${agent.id}`, { intent: "delete" });
    expect(await statusOf(agentAction({ request: remove, params: { agentId: agent.id }, context: {} }))).toBe(403);
    expect((await getAgent({ orgId: org.id, id: agent.id }))?.name).toBe("Nova");
  });

  it("lets a member create an agent, and answers 400 to an invalid form", async () => {
    const { org, member } = await memberOf("member");
    const ok = await post(member, org.id, "/agents", { name: "Nova", role: "Dev", status: "online", avatarColor: "#3b82f6" });
    expect(await statusOf(agentsAction({ request: ok, params: {}, context: {} }))).toBe(200);
    expect((await listAgents(org.id)).map((a) => [a.name, a.status])).toEqual([["Nova", "online"]]);
    const bad = await post(member, org.id, "/agents", { name: "", role: "Boss" });
    expect(await statusOf(agentsAction({ request: bad, params: {}, context: {} }))).toBe(400);
  });

  it("refuses a post from another site with 403", async () => {
    const { org, user } = await ownerWithOrg();
    const request = await post(user, org.id, "/agents", { name: "Nova", role: "Dev" });
    request.headers.set("Origin", "https://evil.example");
    expect(await statusOf(agentsAction({ request, params: {}, context: {} }))).toBe(403);
  });

  it("answers 404 for an agent of another organization", async () => {
    const a = await ownerWithOrg("a");
    const b = await ownerWithOrg("b");
    const agent = await createAgent({ orgId: a.org.id, name: "Nova", role: "Dev", actor: a.actor });
    const request = await post(b.user, b.org.id, `/agents/${agent.id}`, { intent: "delete" });
    expect(await statusOf(agentAction({ request, params: { agentId: agent.id }, context: {} }))).toBe(404);
    expect(await getAgent({ orgId: a.org.id, id: agent.id })).not.toBeNull();
  });
});
