import { db } from "~/db/data-source.server";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { createAgent } from "./agent.server";
import { upsertSessionRows } from "./agent-session.server";
import { createBoard } from "./board.server";
import { containsPattern } from "./search.queries.server";
import { searchOrganization } from "./search.server";
import { createTask } from "./task.server";

useTestDatabase();

const session = (sessionKey: string, label: string | null) => ({
  sessionKey, sessionId: null, externalAgentId: "main", type: "main" as const, label, model: null, parentSessionKey: null,
  contextTokens: null, totalTokens: null, inputTokens: null, outputTokens: null, costUsd: null, status: null, lastActivityAt: Date.now(), endedAt: null,
});

describe("searchOrganization", () => {
  it("finds boards, tasks, agents, sessions and pages of the caller's organization only", async () => {
    const mine = await ownerWithOrg("search-a");
    const theirs = await ownerWithOrg("search-b");
    for (const { org, actor } of [mine, theirs]) {
      await createBoard({ orgId: org.id, input: { name: "Comet launch" }, actor });
      await createTask({ orgId: org.id, input: { title: "Polish the comet tail" }, actor });
      await createAgent({ orgId: org.id, name: "Comet scout", role: "Research", actor });
      await upsertSessionRows({ orgId: org.id, gatewayId: null, sessions: [session(`agent:main:comet-${org.id.slice(0, 4)}`, "Comet review")] });
    }
    const hits = await searchOrganization({ orgId: mine.org.id, query: "comet" });
    expect(hits.map((h) => [h.kind, h.title])).toEqual([
      ["board", "Comet launch"],
      ["task", "Polish the comet tail"],
      ["agent", "Comet scout"],
      ["session", "Comet review"],
    ]);
    const theirIds = new Set((await searchOrganization({ orgId: theirs.org.id, query: "comet" })).map((h) => h.id));
    expect(hits.some((h) => theirIds.has(h.id))).toBe(false);
    // the board, and the status in words ("Backlog", not the stored "backlog")
    expect(hits.find((h) => h.kind === "task")!.detail).toBe("General · Backlog");

    const pages = await searchOrganization({ orgId: mine.org.id, query: "api tok" });
    expect(pages.filter((h) => h.kind === "page").map((h) => h.id)).toEqual(["/settings/tokens"]);
  });

  it("matches % and _ as the characters typed, not as wildcards", async () => {
    const { org, actor } = await ownerWithOrg("search-like");
    await createTask({ orgId: org.id, input: { title: "Cut costs by 50% now" }, actor });
    await createTask({ orgId: org.id, input: { title: "Cut costs by 50 percent" }, actor });
    await createTask({ orgId: org.id, input: { title: "rename user_id" }, actor });
    await createTask({ orgId: org.id, input: { title: "rename userXid" }, actor });
    await createTask({ orgId: org.id, input: { title: "path C:\\temp" }, actor });
    const titles = async (query: string) => (await searchOrganization({ orgId: org.id, query })).filter((h) => h.kind === "task").map((h) => h.title);
    expect(await titles("50%")).toEqual(["Cut costs by 50% now"]);
    expect(await titles("%")).toEqual(["Cut costs by 50% now"]);
    expect(await titles("user_id")).toEqual(["rename user_id"]);
    expect(await titles("C:\\t")).toEqual(["path C:\\temp"]);
    expect(containsPattern("50%_\\")).toBe("%50\\%\\_\\\\%");
  });

  it("answers at most the limit of each kind, names that start with the query first, and nothing for a blank query", async () => {
    const { org, actor } = await ownerWithOrg("search-limit");
    for (let i = 0; i < 8; i++) await createTask({ orgId: org.id, input: { title: `Nebula task ${i}` }, actor });
    await createTask({ orgId: org.id, input: { title: "Map the nebula" }, actor });
    const tasks = (await searchOrganization({ orgId: org.id, query: "NEBULA", limit: 3 })).filter((h) => h.kind === "task");
    expect(tasks).toHaveLength(3);
    expect(tasks.every((t) => t.title.startsWith("Nebula"))).toBe(true);
    expect(await searchOrganization({ orgId: org.id, query: "   " })).toEqual([]);
  });

  it("never finds or names a session through another organization's agent (a row pointing across)", async () => {
    const theirs = await ownerWithOrg("search-cross-a");
    const mine = await ownerWithOrg("search-cross-b");
    const agent = await createAgent({ orgId: theirs.org.id, name: "Zephyr", role: "Dev", actor: theirs.actor });
    await upsertSessionRows({ orgId: mine.org.id, gatewayId: null, sessions: [session("agent:main:cross", "Nightly run")] });
    // no foreign key ties the organizations together: a bad row may point across
    await db().query("update agent_sessions set agent_id = $1 where org_id = $2", [agent.id, mine.org.id]);
    expect(await searchOrganization({ orgId: mine.org.id, query: "zephyr" })).toEqual([]);
    const [hit] = (await searchOrganization({ orgId: mine.org.id, query: "nightly" })).filter((h) => h.kind === "session");
    expect(hit!.detail).not.toContain("Zephyr");
  });
});
