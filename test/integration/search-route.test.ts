import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createInvite, signUpWithInvite } from "~/models/organization.server";
import type { SearchPageData } from "~/lib/search";
import { createTask } from "~/models/task.server";
import * as searchPage from "~/routes/_app.search";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg, PASSWORD } from "../support/fixtures";
import { pageRequest, ROUTE_ARGS, sessionCookieFor, settle } from "../support/requests";

/* GET /search: the page's loader, which the command palette fetches too (ADR 024). */
useTestDatabase();

const load = (path: string, cookie: string) => settle(async () => searchPage.loader({ request: pageRequest(path, cookie), params: {}, ...ROUTE_ARGS }));

describe("GET /search", () => {
  it("lets a viewer search their organization, and no other", async () => {
    const { org, actor } = await ownerWithOrg("search-route");
    const other = await ownerWithOrg("search-route-other");
    await createTask({ orgId: org.id, input: { title: "Quasar audit" }, actor });
    await createTask({ orgId: other.org.id, input: { title: "Quasar elsewhere" }, actor: other.actor });
    const invite = await createInvite({ orgId: org.id, role: "viewer", actor });
    const { user } = await signUpWithInvite({ token: invite.token, username: `viewer-${randomUUID().slice(0, 6)}`, password: PASSWORD });
    const result = (await load("/search?q=quasar", await sessionCookieFor(user.id, org.id))) as SearchPageData;
    expect(result.query).toBe("quasar");
    expect(result.hits.map((h) => h.title)).toEqual(["Quasar audit"]);
  });

  it("answers an empty query with nothing, a NUL as absent, and a query past 100 characters with a 400 sentence", async () => {
    const { user, org } = await ownerWithOrg("search-route-bad");
    const cookie = await sessionCookieFor(user.id, org.id);
    expect(await load("/search", cookie)).toEqual({ query: "", hits: [] });
    expect(await load("/search?q=%00", cookie)).toEqual({ query: "", hits: [] });
    const long = (await load(`/search?q=${"a".repeat(101)}`, cookie)) as Response;
    expect(long.status).toBe(400);
    expect(await long.text()).toContain("at most 100 characters");
  });

  it("sends a visitor who is not signed in to the sign-in page", async () => {
    const result = (await load("/search?q=x", "")) as Response;
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
  });
});
