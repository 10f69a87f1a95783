import { beforeAll, describe, expect, it } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";
import { listApiTokens } from "~/models/api-token.server";
import * as tokensPage from "~/routes/_app.settings.tokens";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { pageRequest, ROUTE_ARGS, sessionCookieFor, settle } from "../support/requests";

/* The token form: role and expiry are validated with sentences, and what was chosen is stored. */
useTestDatabase();

let cookie = "";
let orgId = "";
beforeAll(async () => {
  const { user, org } = await ownerWithOrg("tokens-form");
  orgId = org.id;
  cookie = await sessionCookieFor(user.id, org.id);
});

type Answer = { init?: { status?: number }; data?: { result?: { error?: Record<string, string[]> } } };
const create = (form: Record<string, string>) =>
  settle(async () => tokensPage.action({ request: pageRequest("/settings/tokens", cookie, { intent: "create", ...form }), params: {}, ...ROUTE_ARGS } as ActionFunctionArgs)) as Promise<Answer>;

describe("Settings › API tokens form", () => {
  it("answers a bad role, a past date or a missing date with 400 and a sentence, and creates nothing", async () => {
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ name: "x", role: "admin" }, "role", /read-only or member/],
      [{ name: "x", expiry: "date", expiresOn: "2001-01-01" }, "expiresOn", /in the future/],
      [{ name: "x", expiry: "date" }, "expiresOn", /Pick the day/],
      [{ name: "x", expiry: "date", expiresOn: "01/02/2030" }, "expiresOn", /YYYY-MM-DD/],
      [{ name: "x", expiry: "365" }, "expiry", /when the token expires/],
    ];
    for (const [form, field, sentence] of cases) {
      const answer = await create(form);
      expect(answer.init?.status, JSON.stringify(form)).toBe(400);
      expect(answer.data?.result?.error?.[field]?.join(" "), JSON.stringify(form)).toMatch(sentence);
    }
    expect(await listApiTokens(orgId)).toHaveLength(0);
  });

  it("stores a read-only token that expires at the end of the chosen day, and a member token on a preset", async () => {
    await create({ name: "reader", role: "read-only", expiry: "date", expiresOn: "2031-03-04" });
    const before = Date.now();
    await create({ name: "writer", role: "member", expiry: "30" });
    const tokens = await listApiTokens(orgId);
    const reader = tokens.find((t) => t.name === "reader")!;
    const writer = tokens.find((t) => t.name === "writer")!;
    expect(reader.role).toBe("read-only");
    expect(reader.expiresAt?.toISOString()).toBe("2031-03-04T23:59:59.999Z");
    expect(writer.role).toBe("member");
    expect(writer.expiresAt!.getTime() - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 1000);
    expect(writer.expiresAt!.getTime() - before).toBeLessThan(30 * 86_400_000 + 60_000);
  });
});
