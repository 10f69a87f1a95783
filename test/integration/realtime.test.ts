import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { ORIGIN, pageRequest, ROUTE_ARGS, sessionCookieFor } from "../support/requests";
import { FrameReader } from "../support/sse";
import { loader as eventsLoader } from "~/routes/events";
import { startHub, stopHub, getHub } from "~/realtime/hub.server";
import { publish } from "~/realtime/publish.server";
import { MAX_HELD_BYTES } from "~/realtime/stream.server";
import { listAgentSessions, recordAgentActivity, upsertSessionRows } from "~/models/agent-session.server";
import { sessionFacts } from "~/activity/session-row";
import { transaction } from "~/db/data-source.server";
import { createTask, moveTask, updateTask } from "~/models/task.server";
import { getDefaultBoard } from "~/models/board.server";
import { createApiToken, revokeApiToken } from "~/models/api-token.server";
import { createAgent, updateAgent } from "~/models/agent.server";
import { invalidateSession, invalidateUserSessions, SESSION_COOKIE } from "~/auth/session.server";
import { hashSecret } from "~/lib/crypto.server";
import { topic } from "~/lib/topics";

const database = useTestDatabase();
const open: AbortController[] = [];

beforeAll(async () => {
  await startHub(database.url);
});
afterAll(async () => {
  for (const controller of open) controller.abort();
  await stopHub();
});

async function connect(path: string, headers: Record<string, string>) {
  const controller = new AbortController();
  open.push(controller);
  const request = new Request(ORIGIN + path, { headers, signal: controller.signal });
  const response = (await eventsLoader({ request, params: {}, ...ROUTE_ARGS })) as Response;
  return { response, controller, frames: response.body ? new FrameReader(response.body) : null };
}

async function thrownStatus(path: string, headers: Record<string, string>) {
  try {
    const response = (await eventsLoader({ request: new Request(ORIGIN + path, { headers }), params: {}, ...ROUTE_ARGS })) as Response;
    return response.status;
  } catch (error) {
    return (error as Response).status;
  }
}

describe("GET /events", () => {
  it("writes exact frames with the event-log id, event name and one-line JSON", async () => {
    const { user, org, actor } = await ownerWithOrg();
    const board = (await getDefaultBoard(org.id))!;
    const cookie = await sessionCookieFor(user.id, org.id);
    const { response, frames } = await connect(`/events?topics=board:${board.id},activity`, { Cookie: cookie });
    expect(response.headers.get("Content-Type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toContain("no-cache");
    const ready = await frames!.next((f) => f.event === "ready");
    expect(ready.id).toMatch(/^\d+$/);

    const task = await createTask({ orgId: org.id, input: { title: "Live one", status: "todo", tags: ["x"] }, actor });
    // the activity row is published first in the transaction, then the task itself
    const activity = await frames!.next((f) => f.event === "event.new");
    expect(JSON.parse(activity.data!).event).toMatchObject({ type: "task_created", taskId: task.id });
    const created = await frames!.next((f) => f.event === "task.created");
    expect(created.raw).toMatch(/^id: \d+\nevent: task\.created\ndata: \{.*\}$/);
    const payload = JSON.parse(created.data!);
    expect(payload.task).toMatchObject({ id: task.id, title: "Live one", status: "todo", tags: ["x"], boardId: board.id });
    expect(BigInt(created.id!)).toBe(BigInt(activity.id!) + 1n);

    await moveTask({ orgId: org.id, id: task.id, status: "done", actor });
    const moved = await frames!.next((f) => f.event === "task.updated");
    expect(JSON.parse(moved.data!).task.status).toBe("done");
    expect(BigInt(moved.id!)).toBeGreaterThan(BigInt(created.id!));
  });

  it("replays what a dropped connection missed after Last-Event-ID, in order, then goes live", async () => {
    const { user, org, actor } = await ownerWithOrg();
    const cookie = await sessionCookieFor(user.id, org.id);
    const first = await connect(`/events?topics=tasks`, { Cookie: cookie });
    await first.frames!.next((f) => f.event === "ready");
    const task = await createTask({ orgId: org.id, input: { title: "before the drop" }, actor });
    const seen = await first.frames!.next((f) => f.event === "task.created");
    first.controller.abort();

    await updateTask({ orgId: org.id, id: task.id, changes: { title: "while away 1" }, actor });
    await updateTask({ orgId: org.id, id: task.id, changes: { title: "while away 2" }, actor });

    const second = await connect(`/events?topics=tasks`, { Cookie: cookie, "Last-Event-ID": seen.id! });
    const replayed1 = await second.frames!.next((f) => f.event === "task.updated");
    const replayed2 = await second.frames!.next((f) => f.event === "task.updated");
    expect([JSON.parse(replayed1.data!).task.title, JSON.parse(replayed2.data!).task.title]).toEqual(["while away 1", "while away 2"]);
    expect(BigInt(replayed2.id!)).toBeGreaterThan(BigInt(replayed1.id!));

    await updateTask({ orgId: org.id, id: task.id, changes: { title: "live again" }, actor });
    const live = await second.frames!.next((f) => f.event === "task.updated");
    expect(JSON.parse(live.data!).task.title).toBe("live again");
    // nothing was sent twice
    expect(second.frames!.pending().filter((f) => f.event === "task.updated")).toHaveLength(0);
  });

  it("a client that drops before its first event resumes from its ready frame's id, missing nothing", async () => {
    const { user, org, actor } = await ownerWithOrg();
    const cookie = await sessionCookieFor(user.id, org.id);
    const first = await connect(`/events?topics=tasks`, { Cookie: cookie });
    const ready = await first.frames!.next((f) => f.event === "ready");
    first.controller.abort();
    await createTask({ orgId: org.id, input: { title: "while reconnecting" }, actor });
    const second = await connect(`/events?topics=tasks`, { Cookie: cookie, "Last-Event-ID": ready.id! });
    const created = await second.frames!.next((f) => f.event === "task.created");
    expect(JSON.parse(created.data!).task.title).toBe("while reconnecting");
  });

  it("replays more than one page of missed events, all of them, in order", async () => {
    const { user, org, actor } = await ownerWithOrg();
    const cookie = await sessionCookieFor(user.id, org.id);
    const first = await connect(`/events?topics=tasks`, { Cookie: cookie });
    const seen = await first.frames!.next((f) => f.event === "ready");
    first.controller.abort();
    const task = await createTask({ orgId: org.id, input: { title: "missed 0" }, actor });
    for (let n = 1; n <= 6; n++) await updateTask({ orgId: org.id, id: task.id, changes: { title: `missed ${n}` }, actor });

    // pages of two instead of thousands: seven missed events take four pages
    const hub = getHub();
    const replay = hub.replay.bind(hub);
    const pages: number[] = [];
    const spy = vi.spyOn(hub, "replay").mockImplementation(async (subscriber, afterId) => {
      const page = await replay(subscriber, afterId, 2);
      pages.push(page.length);
      return page;
    });
    try {
      const second = await connect(`/events?topics=tasks`, { Cookie: cookie, "Last-Event-ID": seen.id! });
      const titles: string[] = [];
      for (let n = 0; n <= 6; n++) titles.push(JSON.parse((await second.frames!.next((f) => f.event === (n === 0 ? "task.created" : "task.updated"))).data!).task.title);
      expect(titles).toEqual([0, 1, 2, 3, 4, 5, 6].map((n) => `missed ${n}`));
      expect(pages.slice(0, 4)).toEqual([2, 2, 2, 1]);
    } finally {
      spy.mockRestore();
    }
  });

  it("drops a replaying client that live events outrun past the bound, and its reconnect from its last id gets everything exactly once", async () => {
    const { user, org } = await ownerWithOrg("held");
    const cookie = await sessionCookieFor(user.id, org.id);
    const first = await connect(`/events?topics=tasks`, { Cookie: cookie });
    const ready = await first.frames!.next((f) => f.event === "ready");
    first.controller.abort();
    const padding = "x".repeat(7000);
    let published = 0;
    const publishSome = (count: number) =>
      transaction(async (manager) => {
        for (const end = published + count; published < end; published++) {
          await publish(manager, { orgId: org.id, type: "test.burst", topics: [topic.tasks], data: { n: published, padding } });
        }
      });
    // missed: more than the body's 16 kB high-water mark, so the replay waits for a client that does not read yet
    await publishSome(10);
    const controller = new AbortController();
    open.push(controller);
    const request = new Request(ORIGIN + `/events?topics=tasks`, { headers: { Cookie: cookie, "Last-Event-ID": ready.id! }, signal: controller.signal });
    const slow = (await eventsLoader({ request, params: {}, ...ROUTE_ARGS })) as Response;
    const following = getHub().subscriberCount;
    // live while it replays: more than the bytes it may have held back for it
    await publishSome(Math.ceil(MAX_HELD_BYTES / padding.length) + 1);
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 5000;
      const check = () => {
        if (getHub().subscriberCount === following - 1) return resolve();
        if (Date.now() > deadline) return reject(new Error("the replaying stream was not dropped"));
        setImmediate(check);
      };
      check();
    });

    // it reads what was written for it, then the reason it was closed
    const frames = new FrameReader(slow.body!);
    await frames.untilEnded();
    const got = frames.pending();
    expect(got.at(-1)!.comment).toMatch(/^closed: more than \d+ live events or \d+ bytes arrived while this client was replayed; reconnect with Last-Event-ID to resume$/);
    const before = got.filter((f) => f.event === "test.burst");
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(published);

    const again = await connect(`/events?topics=tasks`, { Cookie: cookie, "Last-Event-ID": before.at(-1)!.id! });
    const after = [];
    for (;;) {
      const frame = await again.frames!.next((f) => f.event === "test.burst");
      after.push(frame);
      if (JSON.parse(frame.data!).n === published - 1) break;
    }
    const numbers = [...before, ...after].map((f) => JSON.parse(f.data!).n as number);
    expect(numbers).toEqual(Array.from({ length: published }, (_, n) => n));
    expect(again.frames!.pending().filter((f) => f.event === "test.burst")).toEqual([]);
  });

  it("never sends one organization's events to another's stream", async () => {
    const a = await ownerWithOrg("a");
    const b = await ownerWithOrg("b");
    const cookieB = await sessionCookieFor(b.user.id, b.org.id);
    const streamB = await connect(`/events?topics=tasks,activity,agents`, { Cookie: cookieB });
    await streamB.frames!.next((f) => f.event === "ready");
    await createTask({ orgId: a.org.id, input: { title: "A secret" }, actor: a.actor });
    await createAgent({ orgId: a.org.id, name: "A agent", role: "Dev", actor: a.actor });
    await createTask({ orgId: b.org.id, input: { title: "B visible" }, actor: b.actor });
    const got = await streamB.frames!.next((f) => f.event === "task.created");
    expect(JSON.parse(got.data!).task.title).toBe("B visible");
    const everything = [got, ...streamB.frames!.pending()].map((f) => f.raw).join("\n");
    expect(everything).not.toContain("A secret");
    expect(everything).not.toContain("A agent");

    // a board of another organization is not a topic you can follow, nor can you replay into it
    const boardA = (await getDefaultBoard(a.org.id))!;
    expect(await thrownStatus(`/events?topics=board:${boardA.id}`, { Cookie: cookieB })).toBe(404);
    const replay = await connect(`/events?topics=tasks,activity`, { Cookie: cookieB, "Last-Event-ID": "0" });
    await replay.frames!.next((f) => f.event === "task.created" && f.data!.includes("B visible"));
    expect(replay.frames!.pending().map((f) => f.raw).join("\n")).not.toContain("A secret");
  });

  it("answers 401 without credentials, 404 for a topic that is not one, 400 for too many", async () => {
    expect(await thrownStatus(`/events?topics=tasks`, {})).toBe(401);
    expect(await thrownStatus(`/events`, {})).toBe(401);
    expect(await thrownStatus(`/events?topics=tasks`, { Cookie: `${SESSION_COOKIE}=${"a".repeat(32)}` })).toBe(401);
    expect(await thrownStatus(`/events?topics=tasks`, { Authorization: "Bearer mc_nope" })).toBe(401);
    const { user, org } = await ownerWithOrg();
    const cookie = await sessionCookieFor(user.id, org.id);
    expect(await thrownStatus(`/events?topics=board:not-a-uuid`, { Cookie: cookie })).toBe(404);
    // private topics are a stream's own, never asked for
    expect(await thrownStatus(`/events?topics=${topic.user(user.id)}`, { Cookie: cookie })).toBe(404);
    const many = Array.from({ length: 21 }, (_, n) => topic.board(`00000000-0000-4000-8000-${String(n).padStart(12, "0")}`)).join(",");
    expect(await thrownStatus(`/events?topics=${many}`, { Cookie: cookie })).toBe(400);
  });

  it("without topics follows everything of the caller's organization, not another's, and not other credentials' private events", async () => {
    const { user, org, actor } = await ownerWithOrg("everything");
    const other = await ownerWithOrg("everything-other");
    const cookie = await sessionCookieFor(user.id, org.id);
    const elsewhere = await sessionCookieFor(user.id, org.id);
    const { apiToken: otherToken } = await createApiToken({ orgId: org.id, name: "other", actor });
    const stream = await connect(`/events`, { Cookie: cookie });
    const ready = await stream.frames!.next((f) => f.event === "ready");
    expect(JSON.parse(ready.data!)).toEqual({ topics: null, lastEventId: ready.id });

    // addressed to another session and another token of the same organization: not this stream's
    await invalidateSession(hashSecret(elsewhere.split("=")[1]!));
    await revokeApiToken({ orgId: org.id, tokenId: otherToken.id, actor });
    await createTask({ orgId: other.org.id, input: { title: "Other org's task" }, actor: other.actor });
    const task = await createTask({ orgId: org.id, input: { title: "Mine" }, actor });
    const agent = await createAgent({ orgId: org.id, name: "Mine too", role: "Dev", actor });
    const names: string[] = [];
    for (;;) {
      const frame = await stream.frames!.next();
      names.push(frame.event!);
      if (frame.event === "agent.created") break;
    }
    expect(names).toEqual(["event.new", "event.new", "task.created", "event.new", "agent.created"]);
    expect(stream.frames!.ended).toBe(false);

    // the same rule on replay
    const replayed = await connect(`/events`, { Cookie: cookie, "Last-Event-ID": ready.id! });
    await replayed.frames!.next((f) => f.event === "agent.created" && f.data!.includes(agent.id));
    const raw = replayed.frames!.pending().map((f) => f.raw).join("\n");
    expect(raw).not.toMatch(/session\.ended|token\.revoked|Other org/);
    expect(task.id).toBeTruthy();

    // its own private topic still reaches it, and ends it
    await invalidateSession(hashSecret(cookie.split("=")[1]!));
    await stream.frames!.next((f) => f.event === "session.ended");
    await stream.frames!.untilEnded();
  });

  it("follows agent status with a Bearer API token and ends the stream when the token is revoked", async () => {
    const { org, actor } = await ownerWithOrg();
    const { token, apiToken } = await createApiToken({ orgId: org.id, name: "watcher", actor });
    const agent = await createAgent({ orgId: org.id, name: "Patch", role: "Dev", actor });
    const stream = await connect(`/events?topics=agents`, { Authorization: `Bearer ${token}` });
    await stream.frames!.next((f) => f.event === "ready");
    await updateAgent({ orgId: org.id, id: agent.id, changes: { status: "busy" }, actor });
    const changed = await stream.frames!.next((f) => f.event === "agent.status_changed");
    expect(JSON.parse(changed.data!).agent).toMatchObject({ id: agent.id, status: "busy", name: "Patch" });
    await revokeApiToken({ orgId: org.id, tokenId: apiToken.id, actor });
    await stream.frames!.next((f) => f.event === "token.revoked");
    await stream.frames!.untilEnded();
  });

  it("ends the stream when its session signs out", async () => {
    const { user, org } = await ownerWithOrg();
    const cookie = await sessionCookieFor(user.id, org.id);
    const stream = await connect(`/events?topics=activity`, { Cookie: cookie });
    await stream.frames!.next((f) => f.event === "ready");
    await invalidateSession(hashSecret(cookie.split("=")[1]!));
    await stream.frames!.next((f) => f.event === "session.ended");
    await stream.frames!.untilEnded();
  });

  it("ends the streams of the account's other sessions when it signs out everywhere (a password change), not this one's", async () => {
    const { user, org, actor } = await ownerWithOrg();
    const here = await sessionCookieFor(user.id, org.id);
    const elsewhere = await sessionCookieFor(user.id, org.id);
    const other = await connect(`/events?topics=activity`, { Cookie: elsewhere });
    const kept = await connect(`/events?topics=activity`, { Cookie: here });
    await other.frames!.next((f) => f.event === "ready");
    await kept.frames!.next((f) => f.event === "ready");
    await invalidateUserSessions(user.id, hashSecret(here.split("=")[1]!));
    const ended = await other.frames!.next((f) => f.event === "session.ended");
    expect(JSON.parse(ended.data!)).toEqual({ reason: "signed-out-everywhere" });
    await other.frames!.untilEnded();
    // the session that changed the password keeps its stream
    await createTask({ orgId: org.id, input: { title: "still following" }, actor });
    const frame = await kept.frames!.next((f) => f.event === "event.new" || f.event === "session.ended");
    expect(frame.event).toBe("event.new");
  });

  it("re-listens by itself after PostgreSQL drops the LISTEN connection and catches up from the log", async () => {
    const { user, org, actor } = await ownerWithOrg();
    const stream = await connect(`/events?topics=tasks`, { Cookie: await sessionCookieFor(user.id, org.id) });
    await stream.frames!.next((f) => f.event === "ready");
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const killed = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'mission-control-listen' and datname = current_database()",
      );
      expect(killed.rowCount).toBeGreaterThan(0);
      // written while nobody listens: must still arrive once the hub is back
      await createTask({ orgId: org.id, input: { title: "committed during the outage" }, actor });
      const frame = await stream.frames!.next((f) => f.event === "task.created", 15_000);
      expect(JSON.parse(frame.data!).task.title).toBe("committed during the outage");
      // the catch-up can finish before the new LISTEN's own answer is read: listening is certain
      // once an event written after the catch-up has come (as in hub.server.test.ts)
      await createTask({ orgId: org.id, input: { title: "after the outage" }, actor });
      const after = await stream.frames!.next((f) => f.event === "task.created" && f.data!.includes("after the outage"), 15_000);
      expect(after.id).toBeTruthy();
      expect(getHub().isListening).toBe(true);
    } finally {
      await admin.end();
    }
  });
});

describe("a session's own topic", () => {
  it("carries that session's activity and row updates and nothing of other sessions; another org's session is not a topic", async () => {
    const { user, org } = await ownerWithOrg("session-topic");
    const other = await ownerWithOrg("session-topic-other");
    const base = { source: "gateway" as const, agentId: "main" };
    const at = Date.now();
    await recordAgentActivity({ orgId: org.id, gatewayId: null, events: [{ ...base, sessionKey: "agent:main:watched", kind: "run_start", at }, { ...base, sessionKey: "agent:main:busy", kind: "run_start", at }] });
    await recordAgentActivity({ orgId: other.org.id, gatewayId: null, events: [{ ...base, sessionKey: "agent:main:theirs", kind: "run_start", at }] });
    const sessions = await listAgentSessions(org.id);
    const watched = sessions.find((s) => s.sessionKey === "agent:main:watched")!;
    const theirs = (await listAgentSessions(other.org.id))[0]!;
    const cookie = await sessionCookieFor(user.id, org.id);
    expect(await thrownStatus(`/events?topics=agent-session:${theirs.id}`, { Cookie: cookie })).toBe(404);

    const stream = await connect(`/events?topics=agent-session:${watched.id}`, { Cookie: cookie });
    await stream.frames!.next((f) => f.event === "ready");
    await recordAgentActivity({ orgId: org.id, gatewayId: null, events: [{ ...base, sessionKey: "agent:main:busy", kind: "tool_start", tool: "exec", summary: "exec: noisy", at: at + 1 }] });
    await recordAgentActivity({ orgId: org.id, gatewayId: null, events: [{ ...base, sessionKey: "agent:main:watched", kind: "tool_start", tool: "read", summary: "read notes.md", at: at + 2 }] });
    const activity = await stream.frames!.next((f) => f.event === "event.new");
    expect(JSON.parse(activity.data!).event).toMatchObject({ sessionKey: "agent:main:watched", summary: "read notes.md" });
    await upsertSessionRows({ orgId: org.id, gatewayId: null, sessions: [sessionFacts({ key: "agent:main:watched", totalTokens: 1234 })!] });
    const changed = await stream.frames!.next((f) => f.event === "sessions.changed");
    expect(JSON.parse(changed.data!).keys).toEqual(["agent:main:watched"]);
    expect([activity, changed, ...stream.frames!.pending()].map((f) => f.raw).join("\n")).not.toContain("noisy");
  });
});

describe("pageRequest helper", () => {
  it("is same-origin", () => {
    expect(pageRequest("/x", "c").headers.get("Origin")).toBe(ORIGIN);
  });
});
