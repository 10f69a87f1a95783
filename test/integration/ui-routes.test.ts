import { beforeAll, describe, expect, it } from "vitest";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { createAgent } from "~/models/agent.server";
import { createGateway } from "~/models/gateway.server";
import { createTask } from "~/models/task.server";
import * as activityPage from "~/routes/_app.activity";
import * as agentPage from "~/routes/_app.agents.$agentId";
import * as boardsPage from "~/routes/_app.boards._index";
import * as gatewayPage from "~/routes/_app.gateways.$gatewayId";
import * as monitoringPage from "~/routes/_app.monitoring.$section";
import * as sessionPage from "~/routes/_app.monitoring.sessions.$sessionId";
import * as sessionsPage from "~/routes/_app.monitoring.sessions._index";
import * as membersPage from "~/routes/_app.settings.members";
import * as tagsPage from "~/routes/_app.settings.tags";
import * as tokensPage from "~/routes/_app.settings.tokens";
import * as taskPage from "~/routes/_app.tasks.$taskId";
import * as invitePage from "~/routes/invite.$token";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { pageRequest, ROUTE_ARGS, sessionCookieFor, settle } from "../support/requests";

/*
 * The UI route convention, route by route: a malformed id is a 404 (never a 500 from PostgreSQL),
 * an intent the page does not have is a 400 with a sentence, and a hostile search param is absent.
 */
useTestDatabase();

let cookie = "";
const ids = { agent: "", gateway: "", task: "" };

beforeAll(async () => {
  const { user, org, actor } = await ownerWithOrg("ui");
  cookie = await sessionCookieFor(user.id, org.id);
  ids.agent = (await createAgent({ orgId: org.id, name: "a", role: "Dev", status: "online", actor })).id;
  ids.gateway = (await createGateway({ orgId: org.id, input: { name: "g", url: "ws://127.0.0.1:1", token: null, pollIntervalSeconds: 30, transcriptDir: null }, actor })).id;
  ids.task = (await createTask({ orgId: org.id, input: { title: "t" }, actor })).id;
});

const statusOf = (result: unknown) => (result instanceof Response ? result.status : ((result as { init?: { status?: number } })?.init?.status ?? 200));

function get(loader: (args: LoaderFunctionArgs) => unknown, path: string, params: Record<string, string> = {}) {
  return settle(async () => loader({ request: pageRequest(path, cookie), params, ...ROUTE_ARGS }));
}

function post(action: (args: ActionFunctionArgs) => unknown, path: string, form: Record<string, string>, params: Record<string, string> = {}) {
  return settle(async () => action({ request: pageRequest(path, cookie, form), params, ...ROUTE_ARGS }));
}

describe("UI routes", () => {
  it("answer a malformed id with a 404 that names the row", async () => {
    const pages: Array<[(args: LoaderFunctionArgs) => unknown, string, string]> = [
      [agentPage.loader, "agentId", "agent"],
      [gatewayPage.loader, "gatewayId", "gateway"],
      [taskPage.loader, "taskId", "task"],
      [sessionPage.loader, "sessionId", "session"],
    ];
    for (const [loader, param, what] of pages) {
      for (const bad of ["nope", "1'; drop table tasks; --", "\u0000", "00000000-0000-4000-8000-000000000000"]) {
        const result = await get(loader, `/x/${encodeURIComponent(bad)}`, { [param]: bad });
        expect(statusOf(result), `${param}=${JSON.stringify(bad)}`).toBe(404);
        await expect((result as Response).text()).resolves.toBe(`That ${what} does not exist in this organization.`);
      }
    }
  });

  it("answer a monitoring section named like an Object.prototype member with a 404", async () => {
    for (const section of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expect(statusOf(await get(monitoringPage.loader, `/monitoring/${section}`, { section })), section).toBe(404);
    }
    expect(statusOf(await get(monitoringPage.loader, "/monitoring/costs", { section: "costs" }))).toBe(200);
  });

  it("answer an intent the page does not have with a 400 and a sentence", async () => {
    const actions: Array<[(args: ActionFunctionArgs) => unknown, string, Record<string, string>]> = [
      [boardsPage.action, "/boards", {}],
      [taskPage.action, `/tasks/${ids.task}`, { taskId: ids.task }],
      [agentPage.action, `/agents/${ids.agent}`, { agentId: ids.agent }],
      [gatewayPage.action, `/gateways/${ids.gateway}`, { gatewayId: ids.gateway }],
      [membersPage.action, "/settings/members", {}],
      [tagsPage.action, "/settings/tags", {}],
      [tokensPage.action, "/settings/tokens", {}],
      [invitePage.action, "/invite/abc", { token: "abc" }],
    ];
    for (const [action, path, params] of actions) {
      for (const intent of ["explode", "constructor", "__proto__"]) {
        const result = await post(action, path, { intent }, params);
        expect(statusOf(result), `${path} intent=${intent}`).toBe(400);
        await expect((result as Response).text()).resolves.toContain("Reload the page and try again.");
      }
    }
  });

  it("treat a search param with a NUL as absent instead of passing it to PostgreSQL", async () => {
    const activity = await get(activityPage.loader, "/activity?type=%00&actor=%00&agent=%00&before=%00");
    expect(statusOf(activity)).toBe(200);
    expect((activity as { filters: unknown }).filters).toEqual({ type: "", actor: "", agent: "" });
    const sessions = await get(sessionsPage.loader, "/monitoring/sessions?type=%00&agent=%00&ended=%00");
    expect(statusOf(sessions)).toBe(200);
    expect(sessions).toMatchObject({ type: "", agent: "", showEnded: false });
  });

  it("keep activity filters that are valid and drop the ones that are not", async () => {
    const page = (await get(activityPage.loader, `/activity?type=task_created&actor=robot&agent=${ids.agent}&before=12x`)) as {
      filters: Record<string, string>;
      paged: boolean;
    };
    expect(page.filters).toEqual({ type: "task_created", actor: "", agent: ids.agent });
    expect(page.paged).toBe(false);
  });
});
