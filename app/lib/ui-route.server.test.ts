import { describe, expect, it } from "vitest";
import { z } from "zod";
import { dispatchIntent, parseSearchParams, requireOrgRow } from "./ui-route.server";

async function thrown(run: () => unknown): Promise<Response> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("expected a thrown Response");
}

function form(fields: Record<string, string>) {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}

describe("dispatchIntent", () => {
  const table = {
    create: (data: FormData) => ({ made: data.get("title") }),
    remove: async () => ({ removed: true }),
  };

  it("runs the handler the intent names, sync or async, with the form data", async () => {
    await expect(dispatchIntent(form({ intent: "create", title: "x" }), table)).resolves.toEqual({ made: "x" });
    await expect(dispatchIntent(form({ intent: "remove" }), table)).resolves.toEqual({ removed: true });
  });

  it("answers an unknown, missing or Object.prototype intent with a 400 and a sentence, without echoing it", async () => {
    for (const fields of [{ intent: "explode" }, {} as Record<string, string>, { intent: "constructor" }, { intent: "toString" }, { intent: "__proto__" }, { intent: "<b>x</b>" }]) {
      const response = await thrown(() => dispatchIntent(form(fields), table));
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(text).toMatch(/^This form asked for an action the page does not have\./);
      expect(text).not.toContain("<b>");
    }
  });
});

describe("dispatchIntent with whenMissing", () => {
  const table = { signup: () => "signed up", join: () => "joined" };

  it("runs the named handler for a post without an intent field, and only then", async () => {
    await expect(dispatchIntent(form({ username: "x" }), table, { whenMissing: "signup" })).resolves.toBe("signed up");
    await expect(dispatchIntent(form({ intent: "join" }), table, { whenMissing: "signup" })).resolves.toBe("joined");
    await expect(thrown(() => dispatchIntent(form({ intent: "" }), table, { whenMissing: "signup" }))).resolves.toHaveProperty("status", 400);
  });
});

describe("requireOrgRow", () => {
  const BOARD = "0b8a4a8e-4c39-4c8f-9d1e-3f2b6a1c9d00";
  const rows = new Map([[`org-1/${BOARD}`, { id: BOARD, name: "Launch" }]]);
  const calls: string[] = [];
  const getBoard = async ({ orgId, id }: { orgId: string; id: string }) => {
    calls.push(id);
    return rows.get(`${orgId}/${id}`) ?? null;
  };

  it("returns the row of this org", async () => {
    await expect(requireOrgRow({ id: "org-1" }, { boardId: BOARD }, "boardId", getBoard)).resolves.toEqual({ id: BOARD, name: "Launch" });
  });

  it("is a 404 naming the row for another org's id", async () => {
    const response = await thrown(() => requireOrgRow({ id: "org-2" }, { boardId: BOARD }, "boardId", getBoard));
    expect(response.status).toBe(404);
    await expect(response.text()).resolves.toBe("That board does not exist in this organization.");
  });

  it("is a 404 without asking the database for a malformed or missing id", async () => {
    calls.length = 0;
    for (const boardId of ["nope", "", "1 or 1=1", `${BOARD}x`, "\u0000", undefined]) {
      const response = await thrown(() => requireOrgRow({ id: "org-1" }, { boardId }, "boardId", getBoard));
      expect(response.status).toBe(404);
    }
    expect(calls).toEqual([]);
  });

  it("names camel-cased params in words, or as told", async () => {
    const none = async () => null;
    await expect((await thrown(() => requireOrgRow({ id: "o" }, { sessionId: BOARD }, "sessionId", none))).text()).resolves.toBe("That session does not exist in this organization.");
    await expect((await thrown(() => requireOrgRow({ id: "o" }, { boardGroupId: BOARD }, "boardGroupId", none))).text()).resolves.toBe("That board group does not exist in this organization.");
    await expect((await thrown(() => requireOrgRow({ id: "o" }, { id: BOARD }, "id", none, "token"))).text()).resolves.toBe("That token does not exist in this organization.");
  });
});

describe("parseSearchParams", () => {
  const schema = z.object({
    priority: z.enum(["low", "high"]).optional().catch(undefined),
    limit: z.coerce.number().int().min(1).max(100).catch(20),
    page: z.coerce.number().int().min(1).optional(),
  });
  const parse = (search: string) => parseSearchParams(new Request(`http://x/p${search}`), schema);

  it("parses what the page understands, with defaults for what is absent", () => {
    expect(parse("?priority=high&limit=50&page=2")).toEqual({ priority: "high", limit: 50, page: 2 });
    expect(parse("")).toEqual({ limit: 20 });
  });

  it("counts empty values as absent and takes the first of repeated keys", () => {
    expect(parse("?priority=&limit=&page=")).toEqual({ limit: 20 });
    expect(parse("?limit=30&limit=40")).toEqual({ limit: 30 });
  });

  it("counts a value with a NUL as absent (PostgreSQL would answer it with a 500)", () => {
    const text = z.object({ q: z.string().default("") });
    expect(parseSearchParams(new URL("http://x/?q=a%00b"), text)).toEqual({ q: "" });
  });

  it("falls back to the default where the schema forgives a bad value", () => {
    expect(parse("?priority=urgent&limit=-4")).toEqual({ limit: 20 });
    expect(parse("?limit=1e999&priority=%00")).toEqual({ limit: 20 });
  });

  it("answers a value the schema does not forgive with a 400 naming the parameter", async () => {
    const response = await thrown(() => parse("?page=zero"));
    expect(response.status).toBe(400);
    await expect(response.text()).resolves.toMatch(/^The address has a "page" value this page cannot use \(.+\)\. Remove it/);
  });

  it("answers an overlong value with a 400 before parsing", async () => {
    const response = await thrown(() => parse(`?priority=${"a".repeat(5000)}`));
    expect(response.status).toBe(400);
    await expect(response.text()).resolves.toContain('"priority" value that is too long');
  });

  it("ignores keys named like Object.prototype members", () => {
    expect(parse("?constructor=1&__proto__=2&toString=3")).toEqual({ limit: 20 });
  });

  it("accepts a URL or URLSearchParams as well as a Request", () => {
    expect(parseSearchParams(new URL("http://x/?limit=7"), schema)).toEqual({ limit: 7 });
    expect(parseSearchParams(new URLSearchParams("limit=8"), schema)).toEqual({ limit: 8 });
  });
});
