import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg, PASSWORD } from "../../test/support/fixtures";
import { sessionCookieFor } from "../../test/support/requests";
import { FrameReader } from "../../test/support/sse";
import { createApiToken, revokeApiToken } from "~/models/api-token.server";
import { changeMemberRole, createInvite, removeMember, signUpWithInvite } from "~/models/organization.server";
import { createTask, updateTask } from "~/models/task.server";
import { createSession, invalidateSession, invalidateUserSessions, SESSION_COOKIE, SESSION_TTL_MS } from "~/auth/session.server";
import { hashSecret } from "~/lib/crypto.server";
import { getHub, startHub, stopHub } from "./hub.server";
import { handleEventStream } from "./node-stream.server";
import { MAX_STREAMS_PER_CREDENTIAL } from "./stream-caps.server";

/* GET /events as server.ts serves it: on the Node response, before Remix (keep-alive shortened, so expiry is checked soon). */
const KEEP_ALIVE_MS = 50;
const database = useTestDatabase();
let server: http.Server;
let base = "";

beforeAll(async () => {
  await startHub(database.url);
  server = http.createServer((req, res) => void handleEventStream(req, res, { keepAliveMs: KEEP_ALIVE_MS }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await stopHub();
});

const opened: AbortController[] = [];
async function open(path: string, headers: Record<string, string>) {
  const abort = new AbortController();
  opened.push(abort);
  const response = await fetch(base + path, { headers, signal: abort.signal });
  return { response, abort, frames: new FrameReader(response.body!) };
}

/** Resolves once the hub has exactly `count` subscribers (they go as their sockets close). */
function subscribersBecome(count: number) {
  return new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 5000;
    const check = () => {
      if (getHub().subscriberCount === count) return resolve();
      if (Date.now() > deadline) return reject(new Error(`${getHub().subscriberCount} subscribers, expected ${count}`));
      setImmediate(check);
    };
    check();
  });
}

// a test that fails leaves no stream behind to confuse the next one's subscriber count
afterEach(async () => {
  for (const abort of opened.splice(0)) abort.abort();
  await subscribersBecome(0);
});

describe("GET /events on the Node response", () => {
  it("answers a JSON 401 without credentials and a 404 for an unknown topic, as the route would", async () => {
    const anonymous = await fetch(`${base}/events`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: "unauthorized" } });
    const { user, org } = await ownerWithOrg("node-401");
    const unknown = await fetch(`${base}/events?topics=board:nope`, { headers: { Cookie: await sessionCookieFor(user.id, org.id) } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "unknown_topic", details: { topic: "board:nope" } } });
    expect(getHub().subscriberCount).toBe(0);
  });

  it("streams exact frames to a Bearer token without topics, replays after Last-Event-ID, and lets go of the subscriber when the client leaves", async () => {
    const { org, actor } = await ownerWithOrg("node-stream");
    const { token } = await createApiToken({ orgId: org.id, name: "node", actor });
    const first = await open("/events", { Authorization: `Bearer ${token}` });
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const ready = await first.frames.next((f) => f.event === "ready");
    expect(ready.raw).toBe(`id: ${ready.id}\nevent: ready\ndata: {"topics":null,"lastEventId":"${ready.id}"}`);
    expect(getHub().subscriberCount).toBe(1);

    const task = await createTask({ orgId: org.id, input: { title: "over the Node response" }, actor });
    const created = await first.frames.next((f) => f.event === "task.created");
    expect(created.raw).toMatch(/^id: \d+\nevent: task\.created\ndata: \{.*"title":"over the Node response".*\}$/);
    first.abort.abort();
    await subscribersBecome(0);

    await updateTask({ orgId: org.id, id: task.id, changes: { title: "missed" }, actor });
    const second = await open("/events?topics=tasks", { Authorization: `Bearer ${token}`, "Last-Event-ID": created.id! });
    const replayed = await second.frames.next((f) => f.event === "task.updated");
    expect(JSON.parse(replayed.data!).task.title).toBe("missed");
    second.abort.abort();
    await subscribersBecome(0);
  });

  it("ends the stream and releases its subscriber when the session signs out", async () => {
    const { user, org } = await ownerWithOrg("node-end");
    const cookie = await sessionCookieFor(user.id, org.id);
    const stream = await open("/events?topics=activity", { Cookie: cookie });
    await stream.frames.next((f) => f.event === "ready");
    await invalidateSession(hashSecret(cookie.split("=")[1]!));
    await stream.frames.next((f) => f.event === "session.ended");
    await stream.frames.untilEnded();
    await subscribersBecome(0);
  });
});

/** A Bearer session token (what POST /api/auth/login answers) and the session behind it. */
async function sessionToken(userId: string, orgId: string) {
  const { token, session } = await createSession({ userId, activeOrgId: orgId });
  return { bearer: { Authorization: `Bearer ${token}` }, sessionId: session.id };
}

/** The stream's closing event, then its end, then its subscriber gone: as a cookie's stream ends. */
async function endsWith(stream: Awaited<ReturnType<typeof open>>, event: string, data: unknown) {
  const closing = await stream.frames.next((f) => f.event === event);
  expect(JSON.parse(closing.data!)).toEqual(data);
  await stream.frames.untilEnded();
  expect(stream.frames.pending().filter((f) => f.event)).toEqual([]);
  await subscribersBecome(0);
}

describe("GET /events on the Node response, with a Bearer session token", () => {
  it("ends when the session signs out", async () => {
    const { user, org } = await ownerWithOrg("bearer-out");
    const { bearer, sessionId } = await sessionToken(user.id, org.id);
    const stream = await open("/events?topics=activity", bearer);
    await stream.frames.next((f) => f.event === "ready");
    await invalidateSession(sessionId);
    await endsWith(stream, "session.ended", { reason: "signed-out" });
  });

  it("ends when the account signs out everywhere (a password change), and the session that changed it keeps its stream", async () => {
    const { user, org, actor } = await ownerWithOrg("bearer-password");
    const here = await sessionToken(user.id, org.id);
    const elsewhere = await sessionToken(user.id, org.id);
    const kept = await open("/events?topics=tasks", here.bearer);
    const other = await open("/events?topics=tasks", elsewhere.bearer);
    await kept.frames.next((f) => f.event === "ready");
    await other.frames.next((f) => f.event === "ready");
    await invalidateUserSessions(user.id, here.sessionId);
    const ended = await other.frames.next((f) => f.event === "session.ended");
    expect(JSON.parse(ended.data!)).toEqual({ reason: "signed-out-everywhere" });
    await other.frames.untilEnded();
    await createTask({ orgId: org.id, input: { title: "still following" }, actor });
    expect((await kept.frames.next((f) => f.event === "task.created" || f.event === "session.ended")).event).toBe("task.created");
    kept.abort.abort();
    await subscribersBecome(0);
  });

  it("ends with session.ended once the session has expired", async () => {
    const { user, org } = await ownerWithOrg("bearer-expiry");
    const { bearer } = await sessionToken(user.id, org.id);
    const stream = await open("/events?topics=activity", bearer);
    await stream.frames.next((f) => f.event === "ready");
    // the next keep-alive tick finds the session past its expiry
    const realNow = Date.now.bind(Date);
    const clock = vi.spyOn(Date, "now").mockImplementation(() => realNow() + SESSION_TTL_MS + 1000);
    try {
      await endsWith(stream, "session.ended", { reason: "expired" });
    } finally {
      clock.mockRestore();
    }
  });

  it("ends when its user is removed from the organization", async () => {
    const owner = await ownerWithOrg("bearer-removed");
    const { token: invite } = await createInvite({ orgId: owner.org.id, role: "viewer", actor: owner.actor });
    const { user } = await signUpWithInvite({ token: invite, username: `r-${Math.random().toString(36).slice(2, 8)}`, password: PASSWORD });
    const { bearer } = await sessionToken(user.id, owner.org.id);
    const stream = await open("/events?topics=activity", bearer);
    await stream.frames.next((f) => f.event === "ready");
    await removeMember({ orgId: owner.org.id, userId: user.id, actor: owner.actor, actorRole: "owner" });
    await endsWith(stream, "membership.ended", { reason: "removed" });
  });

  it("ends when its user's role changes, cookie and Bearer alike, so it reopens with the new rights", async () => {
    const owner = await ownerWithOrg("role-changed");
    const { token: invite } = await createInvite({ orgId: owner.org.id, role: "member", actor: owner.actor });
    const { user } = await signUpWithInvite({ token: invite, username: `rc-${Math.random().toString(36).slice(2, 8)}`, password: PASSWORD });
    const { bearer } = await sessionToken(user.id, owner.org.id);
    const cookie = await sessionCookieFor(user.id, owner.org.id);
    const viaBearer = await open("/events?topics=activity", bearer);
    const viaCookie = await open("/events?topics=activity", { Cookie: cookie });
    await viaBearer.frames.next((f) => f.event === "ready");
    await viaCookie.frames.next((f) => f.event === "ready");
    await changeMemberRole({ orgId: owner.org.id, userId: user.id, role: "viewer", actor: owner.actor, actorRole: "owner" });
    await endsWith(viaBearer, "membership.ended", { reason: "role-changed" });
    await endsWith(viaCookie, "membership.ended", { reason: "role-changed" });
  });

  it("answers a 429 past the per-user cap of open streams, and takes one again once a stream closes", async () => {
    const owner = await ownerWithOrg("stream-cap");
    const cookie = await sessionCookieFor(owner.user.id, owner.org.id);
    const { bearer } = await sessionToken(owner.user.id, owner.org.id);
    const streams = [];
    // cookie and Bearer session streams of one user count together
    for (let i = 0; i < MAX_STREAMS_PER_CREDENTIAL; i += 1) {
      const stream = await open("/events?topics=activity", i % 2 ? bearer : { Cookie: cookie });
      await stream.frames.next((f) => f.event === "ready");
      streams.push(stream);
    }
    const refused = await fetch(base + "/events?topics=activity", { headers: { Cookie: cookie } });
    expect(refused.status).toBe(429);
    expect((await refused.json()).error).toMatchObject({ code: "too_many_streams", message: expect.stringMatching(/20 live streams open/) });
    // another user is not affected
    const other = await ownerWithOrg("stream-cap-other");
    const theirs = await open("/events?topics=activity", { Cookie: await sessionCookieFor(other.user.id, other.org.id) });
    await theirs.frames.next((f) => f.event === "ready");
    opened.at(-2)!.abort();
    await subscribersBecome(MAX_STREAMS_PER_CREDENTIAL);
    const again = await open("/events?topics=activity", { Cookie: cookie });
    await again.frames.next((f) => f.event === "ready");
  });

  it("never carries another organization's events, nor other credentials' private ones", async () => {
    const a = await ownerWithOrg("bearer-a");
    const b = await ownerWithOrg("bearer-b");
    const { bearer } = await sessionToken(b.user.id, b.org.id);
    const elsewhere = await sessionToken(b.user.id, b.org.id);
    const stream = await open("/events", bearer);
    await stream.frames.next((f) => f.event === "ready");
    await createTask({ orgId: a.org.id, input: { title: "A secret" }, actor: a.actor });
    await invalidateSession(elsewhere.sessionId);
    await createTask({ orgId: b.org.id, input: { title: "B visible" }, actor: b.actor });
    const got = await stream.frames.next((f) => f.event === "task.created");
    expect(JSON.parse(got.data!).task.title).toBe("B visible");
    expect([got, ...stream.frames.pending()].map((f) => f.raw).join("\n")).not.toMatch(/A secret|session\.ended/);
    // nor a replay of them
    const replay = await open("/events?topics=tasks", { ...bearer, "Last-Event-ID": "0" });
    await replay.frames.next((f) => f.event === "task.created" && f.data!.includes("B visible"));
    expect(replay.frames.pending().map((f) => f.raw).join("\n")).not.toContain("A secret");
    stream.abort.abort();
    replay.abort.abort();
    await subscribersBecome(0);
  });
});

describe("GET /events on the Node response, with a Bearer API token", () => {
  it("ends when the token is revoked", async () => {
    const { org, actor } = await ownerWithOrg("node-revoked");
    const { token, apiToken } = await createApiToken({ orgId: org.id, name: "watcher", actor });
    const stream = await open("/events?topics=agents", { Authorization: `Bearer ${token}` });
    await stream.frames.next((f) => f.event === "ready");
    await revokeApiToken({ orgId: org.id, tokenId: apiToken.id, actor });
    await endsWith(stream, "token.revoked", { reason: "revoked" });
  });

  it("never carries another organization's events", async () => {
    const a = await ownerWithOrg("node-token-a");
    const b = await ownerWithOrg("node-token-b");
    const { token } = await createApiToken({ orgId: b.org.id, name: "b", actor: b.actor });
    const stream = await open("/events", { Authorization: `Bearer ${token}` });
    await stream.frames.next((f) => f.event === "ready");
    await createTask({ orgId: a.org.id, input: { title: "A secret" }, actor: a.actor });
    await createTask({ orgId: b.org.id, input: { title: "B visible" }, actor: b.actor });
    const got = await stream.frames.next((f) => f.event === "task.created");
    expect(JSON.parse(got.data!).task.title).toBe("B visible");
    expect([got, ...stream.frames.pending()].map((f) => f.raw).join("\n")).not.toContain("A secret");
    stream.abort.abort();
    await subscribersBecome(0);
  });
});

/*
 * Every credential kind × every cause that should end a stream (issue 12, point 1), as one table:
 * a cell either ends the open stream with the documented closing event and data, or says why it
 * cannot apply. A cell left out fails the first test, so a new credential kind or cause is decided.
 */
type Credential = "cookie" | "bearer session" | "api token";
type Cause = "sign-out" | "password change" | "expiry" | "revocation" | "membership removal" | "role change";
interface Opened {
  headers: Record<string, string>;
  user: { id: string };
  sessionId?: string;
  tokenId?: string;
  owner: Awaited<ReturnType<typeof ownerWithOrg>>;
}
type Cell =
  | { na: string }
  | { act: (opened: Opened) => Promise<unknown>; event: string; data: unknown; clock?: number; tokenLifetimeMs?: number };

async function openAs(credential: Credential, tokenLifetimeMs?: number): Promise<Opened> {
  const owner = await ownerWithOrg("matrix");
  const { token: invite } = await createInvite({ orgId: owner.org.id, role: "member", actor: owner.actor });
  const { user } = await signUpWithInvite({ token: invite, username: `m-${Math.random().toString(36).slice(2, 8)}`, password: PASSWORD });
  if (credential === "api token") {
    const expiresAt = tokenLifetimeMs ? new Date(Date.now() + tokenLifetimeMs) : null;
    // made by the member (not the owner), so that what happens to the member can reach the token
    const { token, apiToken } = await createApiToken({ orgId: owner.org.id, name: "matrix", actor: { type: "user", id: user.id, name: user.displayName }, creatorRole: "member", expiresAt });
    return { headers: { Authorization: `Bearer ${token}` }, user, tokenId: apiToken.id, owner };
  }
  const { token, session } = await createSession({ userId: user.id, activeOrgId: owner.org.id });
  const headers: Record<string, string> = credential === "cookie" ? { Cookie: `${SESSION_COOKIE}=${token}` } : { Authorization: `Bearer ${token}` };
  return { headers, user, sessionId: session.id, owner };
}

const sessionCells: Record<Cause, Cell> = {
  "sign-out": { act: (o) => invalidateSession(o.sessionId!), event: "session.ended", data: { reason: "signed-out" } },
  // what the profile page does after a password change: every other session of the account ends
  "password change": { act: (o) => invalidateUserSessions(o.user.id), event: "session.ended", data: { reason: "signed-out-everywhere" } },
  expiry: { act: async () => {}, event: "session.ended", data: { reason: "expired" }, clock: SESSION_TTL_MS + 1000 },
  // a session is revoked by signing it out (there is no other revocation of a session)
  revocation: { act: (o) => invalidateSession(o.sessionId!), event: "session.ended", data: { reason: "signed-out" } },
  "membership removal": {
    act: (o) => removeMember({ orgId: o.owner.org.id, userId: o.user.id, actor: o.owner.actor, actorRole: "owner" }),
    event: "membership.ended",
    data: { reason: "removed" },
  },
  "role change": {
    act: (o) => changeMemberRole({ orgId: o.owner.org.id, userId: o.user.id, role: "viewer", actor: o.owner.actor, actorRole: "owner" }),
    event: "membership.ended",
    data: { reason: "role-changed" },
  },
};
const STREAM_ENDINGS: Record<Credential, Record<Cause, Cell>> = {
  cookie: sessionCells,
  "bearer session": sessionCells,
  "api token": {
    "sign-out": { na: "an API token is not signed in: it ends by revocation or expiry" },
    "password change": { na: "an API token belongs to the organization, not to a person's password (ADR 021)" },
    // the stream's own timer at the token's expiry (no clock games: the token lives half a second)
    expiry: { act: async () => {}, event: "token.revoked", data: { reason: "expired" }, tokenLifetimeMs: 500 },
    revocation: { act: (o) => revokeApiToken({ orgId: o.owner.org.id, tokenId: o.tokenId!, actor: o.owner.actor }), event: "token.revoked", data: { reason: "revoked" } },
    // a token never does more than the person who made it may: it goes with their membership…
    "membership removal": {
      act: (o) => removeMember({ orgId: o.owner.org.id, userId: o.user.id, actor: o.owner.actor, actorRole: "owner" }),
      event: "token.revoked",
      data: { reason: "creator-removed" },
    },
    // …and a member token goes when they become a viewer (a read-only token would stay)
    "role change": {
      act: (o) => changeMemberRole({ orgId: o.owner.org.id, userId: o.user.id, role: "viewer", actor: o.owner.actor, actorRole: "owner" }),
      event: "token.revoked",
      data: { reason: "creator-role-changed" },
    },
  },
};

describe("GET /events: every credential × every cause ends the stream, or says why not", () => {
  const credentials: Credential[] = ["cookie", "bearer session", "api token"];
  const causes: Cause[] = ["sign-out", "password change", "expiry", "revocation", "membership removal", "role change"];

  it("decides every cell", () => {
    for (const credential of credentials) expect(Object.keys(STREAM_ENDINGS[credential]).sort(), credential).toEqual([...causes].sort());
  });

  for (const credential of credentials) {
    for (const cause of causes) {
      const cell = STREAM_ENDINGS[credential][cause];
      if ("na" in cell) continue;
      it(`${credential} × ${cause} → ${cell.event} ${JSON.stringify(cell.data)}`, async () => {
        const opened = await openAs(credential, cell.tokenLifetimeMs);
        const stream = await open("/events?topics=activity", opened.headers);
        await stream.frames.next((f) => f.event === "ready");
        const realNow = Date.now.bind(Date);
        const clock = cell.clock ? vi.spyOn(Date, "now").mockImplementation(() => realNow() + cell.clock!) : undefined;
        try {
          await cell.act(opened);
          await endsWith(stream, cell.event, cell.data);
        } finally {
          clock?.mockRestore();
        }
      });
    }
  }
});

describe("GET /events never carries another organization's events, for every credential kind", () => {
  for (const credential of ["cookie", "bearer session", "api token"] as const) {
    it(`${credential}: live and replayed`, async () => {
      const a = await ownerWithOrg("iso-stream-a");
      const { headers, owner: b } = await openAs(credential);
      const stream = await open("/events", headers);
      await stream.frames.next((f) => f.event === "ready");
      await createTask({ orgId: a.org.id, input: { title: "A secret" }, actor: a.actor });
      await createTask({ orgId: b.org.id, input: { title: "B visible" }, actor: b.actor });
      const got = await stream.frames.next((f) => f.event === "task.created");
      expect(JSON.parse(got.data!).task.title).toBe("B visible");
      expect([got, ...stream.frames.pending()].map((f) => f.raw).join("\n")).not.toContain("A secret");
      const replay = await open("/events?topics=tasks", { ...headers, "Last-Event-ID": "0" });
      await replay.frames.next((f) => f.event === "task.created" && f.data!.includes("B visible"));
      expect(replay.frames.pending().map((f) => f.raw).join("\n")).not.toContain("A secret");
      stream.abort.abort();
      replay.abort.abort();
      await subscribersBecome(0);
    });
  }
});
