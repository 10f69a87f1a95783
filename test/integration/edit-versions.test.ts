import { describe, expect, it } from "vitest";
import { db } from "~/db/data-source.server";
import { createAgent, getAgent, updateAgent } from "~/models/agent.server";
import { createApiToken } from "~/models/api-token.server";
import { createGateway, getGateway, updateGateway } from "~/models/gateway.server";
import { renameOrganization } from "~/models/organization.server";
import { createTag, listTags, updateTag } from "~/models/tag.server";
import * as agentApi from "~/routes/api.agents.$id";
import * as gatewayApi from "~/routes/api.gateways.$id";
import * as agentPage from "~/routes/_app.agents.$agentId";
import * as gatewayPage from "~/routes/_app.gateways.$gatewayId";
import * as orgPage from "~/routes/_app.settings.organization";
import * as tagsPage from "~/routes/_app.settings.tags";
import { callRoute, type RouteModule } from "../support/api-routes";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { pageRequest, ROUTE_ARGS, sessionCookieFor, settle } from "../support/requests";

useTestDatabase();

/*
 * ADR 017 on the agent, gateway, organization and tag forms and on /api/agents/:id and
 * /api/gateways/:id: a stale save is refused naming the newer values, and a save writes only the
 * fields the person changed.
 */

interface Answer {
  init?: { status?: number };
  data?: { result?: { initialValue?: Record<string, unknown>; conflict?: string; status?: string } };
}

/**
 * The edit form as the page renders it: `shown` in the fields and their `base.` inputs, `typed`
 * over the fields the person changed; `version` undefined leaves out baseVersion (last write wins).
 */
function editForm(intent: string, version: number | undefined, shown: Record<string, string>, typed: Record<string, string>, extra: Record<string, string> = {}) {
  const form: Record<string, string> = { intent, ...extra };
  if (version !== undefined) form.baseVersion = String(version);
  for (const [field, value] of Object.entries(shown)) {
    form[field] = typed[field] ?? value;
    form[`base.${field}`] = value;
  }
  return form;
}

const post = (page: RouteModule, path: string, cookie: string, form: Record<string, string>, params: Record<string, string> = {}) =>
  settle(async () => page.action!({ request: pageRequest(path, cookie, form), params, ...ROUTE_ARGS })) as Promise<Answer>;

const orgRow = async (id: string) => ((await db().query("select name, version from organizations where id = $1", [id])) as Array<{ name: string; version: number }>)[0]!;

describe("the agent form", () => {
  it("refuses a stale save with a 409 naming the newer value and keeps the typed name; writes only the changed field", async () => {
    const { org, user, actor } = await ownerWithOrg("agent-form");
    const agent = await createAgent({ orgId: org.id, name: "Patch", role: "Dev", actor });
    const cookie = await sessionCookieFor(user.id, org.id);
    const path = `/agents/${agent.id}`;
    const params = { agentId: agent.id };
    const shown = { name: "Patch", role: "Dev", status: agent.status, avatarColor: agent.avatarColor };
    await updateAgent({ orgId: org.id, id: agent.id, changes: { role: "Ops" }, actor, expectedVersion: 1 });

    const refused = await post(agentPage, path, cookie, editForm("update", 1, shown, { name: "Patched" }), params);
    expect(refused.init?.status).toBe(409);
    expect(refused.data?.result?.conflict).toBe("Someone changed this agent while you were editing: role is now Ops. Your changes are kept below; save again to apply them.");
    expect(refused.data?.result?.initialValue).toMatchObject({ name: "Patched", role: "Ops" });
    expect(await getAgent({ orgId: org.id, id: agent.id })).toMatchObject({ name: "Patch", role: "Ops", version: 2 });

    // a form without a version (last write wins) still writes only the name: the role it showed stays Ops
    const saved = await post(agentPage, path, cookie, editForm("update", undefined, shown, { name: "Patched" }), params);
    expect(saved.init?.status ?? 200).toBe(200);
    expect(await getAgent({ orgId: org.id, id: agent.id })).toMatchObject({ name: "Patched", role: "Ops", version: 3 });
  });
});

describe("the gateway form", () => {
  it("refuses a stale save with a 409 naming the newer value and keeps the typed name; writes only the changed field", async () => {
    const { org, user, actor } = await ownerWithOrg("gateway-form");
    const gateway = await createGateway({ orgId: org.id, input: { name: "Home", url: "ws://127.0.0.1:4101" }, actor });
    const cookie = await sessionCookieFor(user.id, org.id);
    const path = `/gateways/${gateway.id}`;
    const params = { gatewayId: gateway.id };
    const shown = { name: "Home", url: "ws://127.0.0.1:4101", pollIntervalSeconds: "30", transcriptDir: "" };
    await updateGateway({ orgId: org.id, id: gateway.id, input: { pollIntervalSeconds: 60 }, actor, expectedVersion: 1 });

    const refused = await post(gatewayPage, path, cookie, editForm("update", 1, shown, { name: "Home lab" }, { token: "" }), params);
    expect(refused.init?.status).toBe(409);
    expect(refused.data?.result?.conflict).toBe("Someone changed this gateway while you were editing: the poll interval is now 60 s. Your changes are kept below; save again to apply them.");
    expect(refused.data?.result?.initialValue).toMatchObject({ name: "Home lab", pollIntervalSeconds: "60" });
    expect(await getGateway({ orgId: org.id, id: gateway.id })).toMatchObject({ name: "Home", pollIntervalSeconds: 60, version: 2 });

    const saved = await post(gatewayPage, path, cookie, editForm("update", undefined, shown, { name: "Home lab" }, { token: "" }), params);
    expect(saved.init?.status ?? 200).toBe(200);
    expect(await getGateway({ orgId: org.id, id: gateway.id })).toMatchObject({ name: "Home lab", pollIntervalSeconds: 60, version: 3 });
  });
});

describe("the organization rename form", () => {
  it("refuses a stale rename with a 409 naming the newer name, and an untouched name is never written", async () => {
    const { org, user, actor } = await ownerWithOrg("org-form");
    const cookie = await sessionCookieFor(user.id, org.id);
    const shown = { name: org.name };
    await renameOrganization({ orgId: org.id, name: "Renamed elsewhere", actor, actorRole: "owner", expectedVersion: 1 });

    const refused = await post(orgPage, "/settings/organization", cookie, editForm("rename-organization", 1, shown, { name: "Mine" }));
    expect(refused.init?.status).toBe(409);
    expect(refused.data?.result?.conflict).toBe('Someone changed this organization while you were editing: name is now "Renamed elsewhere". Your changes are kept below; save again to apply them.');
    expect(refused.data?.result?.initialValue).toMatchObject({ name: "Mine" });
    expect(await orgRow(org.id)).toEqual({ name: "Renamed elsewhere", version: 2 });

    // the old name submitted untouched (no version: last write wins) puts nothing back
    const untouched = await post(orgPage, "/settings/organization", cookie, editForm("rename-organization", undefined, shown, {}));
    expect(untouched.init?.status ?? 200).toBe(200);
    expect(await orgRow(org.id)).toEqual({ name: "Renamed elsewhere", version: 2 });
  });
});

describe("the tag form", () => {
  it("refuses a stale save with a 409 naming the newer colour and keeps the typed name; writes only the changed field", async () => {
    const { org, user, actor } = await ownerWithOrg("tag-form");
    const tag = await createTag({ orgId: org.id, name: "ops", color: "#3b82f6", actor });
    const cookie = await sessionCookieFor(user.id, org.id);
    const shown = { name: "ops", color: "#3b82f6" };
    await updateTag({ orgId: org.id, tagId: tag.id, changes: { color: "#ef4444" }, actor, expectedVersion: 1 });

    const refused = await post(tagsPage, "/settings/tags", cookie, editForm("update", 1, shown, { name: "infra" }, { tagId: tag.id }));
    expect(refused.init?.status).toBe(409);
    expect(refused.data?.result?.conflict).toBe("Someone changed this tag while you were editing: colour is now #ef4444. Your changes are kept below; save again to apply them.");
    expect(refused.data?.result?.initialValue).toMatchObject({ name: "infra", color: "#ef4444" });
    expect((await listTags(org.id))[0]).toMatchObject({ name: "ops", color: "#ef4444", version: 2 });

    const saved = (await settle(() => tagsPage.action({ request: pageRequest("/settings/tags", cookie, editForm("update", undefined, shown, { name: "infra" }, { tagId: tag.id })), params: {}, ...ROUTE_ARGS }))) as {
      result?: { status?: string };
      done?: string;
    };
    expect(saved).toMatchObject({ result: { status: "success" }, done: 'Tag "infra" saved.' });
    expect((await listTags(org.id))[0]).toMatchObject({ name: "infra", color: "#ef4444", version: 3 });
  });
});

describe("ETag and If-Match on /api/agents/:id and /api/gateways/:id", () => {
  it("agents: an ETag, 412 with the stored agent on a stale If-Match, 200 on the current one, last write wins without", async () => {
    const { org, actor } = await ownerWithOrg("agent-api");
    const { token } = await createApiToken({ orgId: org.id, name: "versions", actor });
    const agent = await createAgent({ orgId: org.id, name: "Patch", role: "Dev", actor });
    const params = { id: agent.id };
    const url = `/api/agents/${agent.id}`;

    const read = await callRoute(agentApi, url, { token, params });
    expect(read.status).toBe(200);
    expect(read.headers.get("ETag")).toBe('"1"');
    const current = await callRoute(agentApi, url, { method: "PATCH", token, params, body: { role: "Ops" }, headers: { "If-Match": '"1"' } });
    expect(current.status).toBe(200);
    expect(current.headers.get("ETag")).toBe('"2"');
    const stale = await callRoute(agentApi, url, { method: "PATCH", token, params, body: { role: "Research" }, headers: { "If-Match": '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.json).toMatchObject({ error: { code: "precondition_failed" }, agent: { id: agent.id, role: "Ops" } });
    expect((await getAgent({ orgId: org.id, id: agent.id }))!.role).toBe("Ops");
    const none = await callRoute(agentApi, url, { method: "PATCH", token, params, body: { role: "Research" } });
    expect(none.status).toBe(200);
    expect(none.headers.get("ETag")).toBe('"3"');
    expect((await getAgent({ orgId: org.id, id: agent.id }))!.role).toBe("Research");
  });

  it("gateways: an ETag, 412 with the stored gateway on a stale If-Match, 200 on the current one, last write wins without", async () => {
    const { org, user, actor } = await ownerWithOrg("gateway-api");
    // gateway writes need an admin: the owner's session token, as POST /api/auth/login hands out
    const token = (await sessionCookieFor(user.id, org.id)).split("=")[1]!;
    const gateway = await createGateway({ orgId: org.id, input: { name: "Home", url: "ws://127.0.0.1:4102" }, actor });
    const params = { id: gateway.id };
    const url = `/api/gateways/${gateway.id}`;

    const read = await callRoute(gatewayApi, url, { token, params });
    expect(read.status).toBe(200);
    expect(read.headers.get("ETag")).toBe('"1"');
    const current = await callRoute(gatewayApi, url, { method: "PATCH", token, params, body: { name: "Home lab" }, headers: { "If-Match": '"1"' } });
    expect(current.status).toBe(200);
    expect(current.headers.get("ETag")).toBe('"2"');
    const stale = await callRoute(gatewayApi, url, { method: "PATCH", token, params, body: { name: "Attic" }, headers: { "If-Match": '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.json).toMatchObject({ error: { code: "precondition_failed" }, gateway: { id: gateway.id, name: "Home lab" } });
    expect((await getGateway({ orgId: org.id, id: gateway.id }))!.name).toBe("Home lab");
    const none = await callRoute(gatewayApi, url, { method: "PATCH", token, params, body: { name: "Attic" } });
    expect(none.status).toBe(200);
    expect(none.headers.get("ETag")).toBe('"3"');
    expect((await getGateway({ orgId: org.id, id: gateway.id }))!.name).toBe("Attic");
  });
});
