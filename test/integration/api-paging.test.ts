import { describe, expect, it } from "vitest";
import { db, transaction } from "~/db/data-source.server";
import { createAgent } from "~/models/agent.server";
import { recordActivity, SYSTEM_ACTOR } from "~/models/activity.server";
import { createApiToken } from "~/models/api-token.server";
import { getDefaultBoard } from "~/models/board.server";
import { createTask, updateTask } from "~/models/task.server";
import { callRoute, routeModule } from "../support/api-routes";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";

useTestDatabase();

/* GET /api/tasks and GET /api/events page with `limit` and an opaque `cursor`, answering `nextCursor`. */

const tasksRoute = routeModule("api.tasks.ts");
const eventsRoute = routeModule("api.events.ts");

interface Page<K extends string> {
  status: number;
  body: { [key in K]: Array<{ id: string; status?: string; title?: string }> } & { nextCursor: string | null };
  error?: { code: string; message: string; details: Record<string, string[]> };
}

async function get<K extends "tasks" | "events">(key: K, token: string, query: string): Promise<Page<K>> {
  const answer = await callRoute(key === "tasks" ? tasksRoute : eventsRoute, `/api/${key}?${query}`, { token });
  const json = answer.json as Page<K>["body"] & { error?: Page<K>["error"] };
  return { status: answer.status, body: json, error: json.error };
}

/** Follows nextCursor from the first page to the last; the ids in the order the pages gave them. */
async function readAll(key: "tasks" | "events", token: string, query: string, between?: (page: number) => Promise<void>) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page<typeof key> = await get(key, token, `${query}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(page.status, JSON.stringify(page.error)).toBe(200);
    ids.push(...page.body[key].map((item) => item.id));
    cursor = page.body.nextCursor;
    pages++;
    if (cursor && between) await between(pages);
  } while (cursor && pages < 100);
  return { ids, pages };
}

async function orgWithTasks(label: string, count: number) {
  const owner = await ownerWithOrg(label);
  const { token } = await createApiToken({ orgId: owner.org.id, name: `${label} agent`, actor: owner.actor });
  const created = [];
  for (let i = 0; i < count; i++) {
    created.push(await createTask({ orgId: owner.org.id, input: { title: `task ${i}`, status: i % 3 === 0 ? "todo" : "backlog" }, actor: owner.actor }));
  }
  return { ...owner, token, created };
}

describe("GET /api/tasks paging", () => {
  it("walks every task exactly once, in creation order, and says null on the last page", async () => {
    const { token, created } = await orgWithTasks("walk", 13);
    const { ids, pages } = await readAll("tasks", token, "limit=5");
    expect(pages).toBe(3);
    expect(ids).toEqual(created.map((task) => task.id));

    const whole = await get("tasks", token, "limit=13");
    expect(whole.body.tasks).toHaveLength(13);
    expect(whole.body.nextCursor).toBeNull();
  });

  it("answers 100 tasks by default and at most 1,000; out of range is a 400 that names limit", async () => {
    const { org, actor, token } = await orgWithTasks("bounds", 0);
    const board = await getDefaultBoard(org.id);
    // 1,001 rows straight into the table: the API's bounds, not createTask, are under test here
    await db().query(
      `insert into tasks (org_id, board_id, title, description, status, priority, position, created_by, created_at)
       select $1, $2, 'bulk ' || i, '', 'backlog', 'medium', i, $3, now() - (i || ' microseconds')::interval from generate_series(1, 1001) i`,
      [org.id, board!.id, actor.name],
    );
    const first = await get("tasks", token, "");
    expect(first.body.tasks).toHaveLength(100);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const most = await get("tasks", token, "limit=1000");
    expect(most.body.tasks).toHaveLength(1000);
    expect(most.body.nextCursor).toEqual(expect.any(String));
    const rest = await get("tasks", token, `limit=1000&cursor=${most.body.nextCursor}`);
    expect(rest.body.tasks).toHaveLength(1);
    expect(rest.body.nextCursor).toBeNull();

    for (const limit of ["0", "1001", "-1", "2.5", "abc", "99999999999999999999"]) {
      const res = await get("tasks", token, `limit=${limit}`);
      expect(res.status, limit).toBe(400);
      expect(res.error?.code).toBe("validation_failed");
      expect(Object.keys(res.error!.details)).toEqual(["limit"]);
      expect(res.error!.details.limit![0]).toMatch(/^limit must be/);
    }
  });

  it("keeps filters across pages", async () => {
    const { token, created } = await orgWithTasks("filtered", 10);
    const todo = created.filter((task) => task.status === "todo").map((task) => task.id);
    const { ids, pages } = await readAll("tasks", token, "status=todo&limit=2");
    expect(ids).toEqual(todo);
    expect(pages).toBe(2);
  });

  it("neither repeats nor skips a task when tasks are added, moved and edited between pages", async () => {
    const { org, actor, token, created } = await orgWithTasks("churn", 9);
    const added: string[] = [];
    const { ids } = await readAll("tasks", token, "limit=4", async (page) => {
      // move an already-read task and one not read yet to another column (both get a new position)
      await updateTask({ orgId: org.id, id: created[page - 1]!.id, changes: { status: "done", title: `moved ${page}` }, actor });
      await updateTask({ orgId: org.id, id: created[8 - page]!.id, changes: { status: "review" }, actor });
      added.push((await createTask({ orgId: org.id, input: { title: `added after page ${page}` }, actor })).id);
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 9)).toEqual(created.map((task) => task.id));
    // tasks created while paging come after the ones that were there, so a reader can reach them too
    expect(ids.slice(9)).toEqual(added);
  });

  it("pages tasks created in one instant by id, so equal timestamps lose nothing", async () => {
    const { org, actor, token } = await orgWithTasks("same-instant", 0);
    const board = await getDefaultBoard(org.id);
    await db().query(
      `insert into tasks (org_id, board_id, title, description, status, priority, position, created_by, created_at)
       select $1, $2, 'same ' || i, '', 'todo', 'low', i, $3, timestamptz '2026-12-02 06:00:00.123456+00' from generate_series(1, 7) i`,
      [org.id, board!.id, actor.name],
    );
    const { ids } = await readAll("tasks", token, "limit=3");
    const expected: Array<{ id: string }> = await db().query("select id from tasks where org_id = $1 order by id", [org.id]);
    expect(ids).toEqual(expected.map((row) => row.id));
  });

  it("answers a tampered, foreign or malformed cursor with a 400 that names cursor", async () => {
    const { token, created } = await orgWithTasks("tamper", 3);
    const real = (await get("tasks", token, "limit=1")).body.nextCursor!;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const id = created[0]!.id;
    const bad = [
      real.slice(0, -2) + (real.endsWith("A") ? "B" : "A") + real.slice(-1),
      real + "!",
      "not-a-cursor",
      encode({ createdAt: "2026-02-30T10:00:00.000000Z", id }), // a date PostgreSQL would reject
      encode({ createdAt: "2026-12-02T10:00:00.000000Z", id: "1; drop table tasks" }),
      encode({ createdAt: "2026-12-02T10:00:00.000000Z", id, extra: 1 }),
      encode({ id: "42" }), // an events cursor
      encode(["2026-12-02T10:00:00.000000Z", id]),
      encode("\u0000"),
      "A".repeat(5000),
    ];
    for (const cursor of bad) {
      const res = await get("tasks", token, `cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(400);
      expect(res.error?.code).toBe("validation_failed");
      expect(res.error!.details.cursor![0]).toMatch(/start again without it/);
    }
  });

  it("a cursor is only a position: another organization's cursor shows nothing of that organization", async () => {
    const a = await orgWithTasks("cursor-a", 3);
    const b = await orgWithTasks("cursor-b", 2);
    const cursorOfA = (await get("tasks", a.token, "limit=1")).body.nextCursor!;
    const res = await get("tasks", b.token, `cursor=${cursorOfA}`);
    expect(res.status).toBe(200);
    const ofA = new Set(a.created.map((task) => task.id));
    expect(res.body.tasks.some((task) => ofA.has(task.id))).toBe(false);
  });
});

describe("GET /api/events paging", () => {
  async function orgWithEvents(label: string, count: number) {
    const owner = await ownerWithOrg(label);
    const { token } = await createApiToken({ orgId: owner.org.id, name: `${label} agent`, actor: owner.actor });
    // one transaction each, so the events carry different times (now() is the transaction's start)
    for (let i = 0; i < count; i++) {
      await transaction((manager) => recordActivity(manager, { orgId: owner.org.id, type: "test_event", message: `event ${i}`, actor: SYSTEM_ACTOR }));
    }
    const all = (await get("events", token, "limit=1000")).body.events.map((event) => event.id);
    return { ...owner, token, all };
  }

  it("walks the whole feed newest first, every event once", async () => {
    const { token, all } = await orgWithEvents("feed", 11);
    expect(all.length).toBeGreaterThanOrEqual(11);
    const { ids } = await readAll("events", token, "limit=4");
    expect(ids).toEqual(all);
  });

  it("does not repeat or skip events when new ones are recorded between pages", async () => {
    const { org, token, all } = await orgWithEvents("live-feed", 8);
    const { ids } = await readAll("events", token, "limit=3", async () => {
      await createAgent({ orgId: org.id, name: `agent ${Date.now()}`, role: "Dev", actor: SYSTEM_ACTOR });
    });
    expect(ids).toEqual(all);
  });

  it("keeps `since` across pages", async () => {
    const { token } = await orgWithEvents("since", 6);
    const everything = (await get("events", token, "limit=1000")).body.events as Array<{ id: string; timestamp?: number }>;
    const oldest = everything[everything.length - 1]!;
    const expected = (everything as Array<{ id: string; timestamp: number }>).filter((event) => event.timestamp > oldest.timestamp!).map((e) => e.id);
    expect(expected.length).toBeGreaterThan(2);
    const { ids } = await readAll("events", token, `since=${oldest.timestamp}&limit=2`);
    expect(ids).toEqual(expected);
  });

  it("rejects bad limits and tampered cursors with a 400", async () => {
    const { token } = await orgWithEvents("bad-events", 2);
    for (const query of [
      "limit=0",
      "limit=1001",
      "cursor=xyz",
      `cursor=${Buffer.from('{"id":"0"}').toString("base64url")}`,
      `cursor=${Buffer.from('{"id":"99999999999999999999"}').toString("base64url")}`,
      `cursor=${Buffer.from('{"id":"1.5"}').toString("base64url")}`, // BigInt("1.5") throws: once a 500
    ]) {
      const res = await get("events", token, query);
      expect(res.status, query).toBe(400);
      expect(Object.keys(res.error!.details)).toEqual([query.split("=")[0]]);
    }
  });
});
