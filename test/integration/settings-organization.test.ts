import { describe, expect, it } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";
import { listMembershipsForUser } from "~/models/organization.server";
import * as orgPage from "~/routes/_app.settings.organization";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { pageRequest, ROUTE_ARGS, sessionCookieFor, settle } from "../support/requests";

/* Settings › Organization: deleting needs the name typed; afterwards the owner lands on "/". */
useTestDatabase();

type Answer = Response & { init?: { status?: number }; data?: { result?: { error?: Record<string, string[]> } } };
const post = (cookie: string, form: Record<string, string>) =>
  settle(async () => orgPage.action({ request: pageRequest("/settings/organization", cookie, form), params: {}, ...ROUTE_ARGS } as ActionFunctionArgs)) as Promise<Answer>;

describe("Settings › Organization › delete", () => {
  it("answers a wrong name with 400 and the name to type, then deletes on the right one and sends the owner to /", async () => {
    const { user, org } = await ownerWithOrg("delete-form");
    const cookie = await sessionCookieFor(user.id, org.id);
    const wrong = await post(cookie, { intent: "delete-organization", confirmName: org.name.toUpperCase() });
    expect(wrong.init?.status).toBe(400);
    expect(wrong.data?.result?.error?.confirmName?.join(" ")).toContain(`Type the organization's name, ${org.name}, exactly`);
    expect(await listMembershipsForUser(user.id)).toHaveLength(1);

    const done = await post(cookie, { intent: "delete-organization", confirmName: org.name });
    expect(done).toBeInstanceOf(Response);
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/");
    expect(await listMembershipsForUser(user.id)).toHaveLength(0);
  });
});
