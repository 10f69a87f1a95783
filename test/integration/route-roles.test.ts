import { beforeAll, describe, expect, it, vi } from "vitest";
import { transaction } from "~/db/data-source.server";
import { dispatchIntent } from "~/lib/ui-route.server";
import { buildOpenApiDocument } from "~/lib/openapi";
import { createApiToken } from "~/models/api-token.server";
import { acceptInvite, createInvite } from "~/models/organization.server";
import { createUser } from "~/models/user.server";
import { apiRouteFiles, callRoute, openApiPathOf, routeModule, type RouteModule } from "../support/api-routes";
import { useTestDatabase } from "../support/db";
import { ORIGIN, sessionCookieFor } from "../support/requests";
import { answerOf, apiValue, BODY_ID_FIELDS, formFor, PARAM_ROWS, PARAMS_NOT_IDS, pageFiles, paramsOf, seedOrgA, snapshotOfOrg, type Fixtures } from "../support/route-probes";
import { apiOperations } from "../support/sweep";

/*
 * Roles on every route (issue 12, point 10): a viewer of org A sends every form intent of every
 * organization page (found as in route-isolation.test.ts) with A's own ids, and a read-only API
 * token calls every documented write: each is a 403 and none of A's rows change. Pages that act
 * on the person rather than the organization are listed with a reason; a new one must be too.
 */

vi.mock("~/lib/ui-route.server", async (importOriginal) => {
  const actual = await importOriginal<typeof import("~/lib/ui-route.server")>();
  return { ...actual, dispatchIntent: vi.fn(actual.dispatchIntent) };
});

useTestDatabase();

/** Form routes any signed-in person may post to whatever their role, and why. */
const NOT_ORG_ROLE: Record<string, string> = {
  "_app.settings.profile.tsx": "a person's own name, email and password",
  "logout.tsx": "signing oneself out",
  "orgs.new.tsx": "anyone may found an organization of their own",
  "orgs.switch.tsx": "switching to an organization one is a member of",
  "login.tsx": "signing in",
  "setup.tsx": "the first owner, before any role exists",
  "invite.$token.tsx": "accepting an invite, which is how a role is got",
};

let A: Fixtures;
let aOrgName = "";
let ownerId = "";
let viewerId = "";
let readOnlyToken = "";

beforeAll(async () => {
  const seeded = await seedOrgA();
  A = seeded.rows;
  aOrgName = seeded.owner.org.name;
  ownerId = seeded.owner.user.id;
  const viewer = await transaction((m) => createUser(m, { username: `roles-viewer-${Date.now()}`, password: "viewer-password-1" }));
  const { token } = await createInvite({ orgId: A.org, role: "viewer", actor: seeded.owner.actor });
  await acceptInvite({ token, user: viewer });
  viewerId = viewer.id;
  readOnlyToken = (await createApiToken({ orgId: A.org, name: "read-only", role: "read-only", actor: seeded.owner.actor })).token;
});

describe("roles on every route", () => {
  it("answers a viewer's every form intent on every organization page with a 403, and changes nothing", async () => {
    const before = await snapshotOfOrg(A.org);
    const spy = vi.mocked(dispatchIntent);
    const failures: string[] = [];
    let probed = 0;
    for (const file of pageFiles()) {
      const module = routeModule(file) as RouteModule;
      if (!module.action || NOT_ORG_ROLE[file]) continue;
      const params = Object.fromEntries(paramsOf(file).map((p) => [p, PARAM_ROWS[p] && !PARAMS_NOT_IDS[file] ? A[PARAM_ROWS[p]!] : "x"]));
      const post = async (form: URLSearchParams, userId: string) => {
        const cookie = await sessionCookieFor(userId, A.org);
        const request = new Request(`${ORIGIN}/${file}`, { method: "POST", headers: { Cookie: cookie, Origin: ORIGIN }, body: form });
        return answerOf(async () => module.action!({ request, params, context: { clientIp: "127.0.0.1" } }));
      };
      spy.mockClear();
      await post(new URLSearchParams({ intent: "no-such-intent" }), ownerId);
      const intents: Array<string | null> = spy.mock.calls.length > 0 ? Object.keys(spy.mock.calls[0]![1]) : [null];
      for (const intent of intents) {
        const answer = await post(formFor(intent, (row) => A[row], aOrgName), viewerId);
        if (answer.status !== 403) failures.push(`${file} intent=${intent}: ${answer.status} ${answer.text.slice(0, 120)}`);
        probed++;
      }
    }
    expect(failures).toEqual([]);
    expect(probed).toBeGreaterThan(20);
    expect(await snapshotOfOrg(A.org)).toBe(before);
  });

  it("lists every form route without an organization role check with a reason", () => {
    const stale = Object.keys(NOT_ORG_ROLE).filter((file) => !pageFiles().includes(file));
    expect(stale, "a reason for a route that no longer exists").toEqual([]);
  });

  it("answers a read-only token's every documented write with a 403, and changes nothing", async () => {
    const before = await snapshotOfOrg(A.org);
    const files = new Map(apiRouteFiles().map((file) => [openApiPathOf(file), file]));
    const writes = apiOperations(buildOpenApiDocument() as unknown as Record<string, unknown>).filter((op) => op.method !== "GET" && op.path !== "/api/auth/login");
    expect(writes.length).toBeGreaterThan(5);
    const failures: string[] = [];
    for (const op of writes) {
      const module = routeModule(files.get(op.path)!) as RouteModule;
      const row = { "/api/tasks/{id}": A.task, "/api/agents/{id}": A.agent, "/api/gateways/{id}": A.gateway }[op.path] ?? "";
      const body = op.body ? Object.fromEntries(Object.entries(op.body).map(([name, schema]) => [name, BODY_ID_FIELDS[name] ? A[BODY_ID_FIELDS[name]!] : apiValue(name, schema)])) : undefined;
      const answer = await callRoute(module, op.path.replace("{id}", row), {
        method: op.method,
        token: readOnlyToken,
        body: op.method === "DELETE" ? undefined : body,
        params: op.pathParams.length > 0 ? { id: row } : {},
        headers: op.method === "PATCH" ? { "If-Match": '"1"' } : {},
      });
      if (answer.status !== 403) failures.push(`${op.method} ${op.path}: ${answer.status} ${answer.text.slice(0, 120)}`);
    }
    expect(failures).toEqual([]);
    expect(await snapshotOfOrg(A.org)).toBe(before);
  });
});
