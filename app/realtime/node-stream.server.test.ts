import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { sessionCookieFor } from "../../test/support/requests";
import { FrameReader } from "../../test/support/sse";
import { createApiToken } from "~/models/api-token.server";
import { createTask, updateTask } from "~/models/task.server";
import { invalidateSession } from "~/auth/session.server";
import { hashSecret } from "~/lib/crypto.server";
import { getHub, startHub, stopHub } from "./hub.server";
import { handleEventStream } from "./node-stream.server";

/* GET /events as server.ts serves it: on the Node response, before Remix. */
const database = useTestDatabase();
let server: http.Server;
let base = "";

beforeAll(async () => {
  await startHub(database.url);
  server = http.createServer((req, res) => void handleEventStream(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await stopHub();
});

async function open(path: string, headers: Record<string, string>) {
  const abort = new AbortController();
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
