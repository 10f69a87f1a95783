import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg } from "../../test/support/fixtures";
import { transaction } from "~/db/data-source.server";
import { topic } from "~/lib/topics";
import { publish } from "./publish.server";
import { getHub, startHub, stopHub } from "./hub.server";
import { formatMessage, type SseChannel, type SseMessage } from "./sse.server";
import { followLive, lastEventIdOf } from "./stream.server";

const database = useTestDatabase();
beforeAll(async () => {
  await startHub(database.url);
});
afterAll(async () => {
  await stopHub();
});

/** A channel that records what is written; `until` waits for a written frame to match. */
function recordingChannel() {
  const written: string[] = [];
  let waiters: Array<() => void> = [];
  const decoder = new TextDecoder();
  const push = (text: string) => {
    written.push(text);
    for (const wake of waiters.splice(0)) wake();
    return true;
  };
  const channel: SseChannel & { closed: boolean } = {
    closed: false,
    send: (message: SseMessage) => push(formatMessage(message)),
    sendEncoded: (frame) => push(decoder.decode(frame)),
    comment: (text) => push(`: ${text}`),
    drained: () => Promise.resolve(),
    close() {
      channel.closed = true;
      push("<closed>");
    },
    drop(why) {
      channel.closed = true;
      push(`: closed: ${why}; reconnect with Last-Event-ID to resume`);
    },
  };
  const until = (check: (text: string) => boolean) =>
    new Promise<void>((resolve) => {
      const test = () => (written.some(check) ? resolve() : waiters.push(test));
      test();
    });
  return { channel, written, until };
}

const auth = (expiresAt: Date | null = null) => ({ orgId: "00000000-0000-4000-8000-000000000001", privateTopics: [], expiresAt });

describe("followLive", () => {
  it("writes a keep-alive comment on every tick, and the tick stops with the stream", async () => {
    const one = recordingChannel();
    const two = recordingChannel();
    const stopOne = followLive(one.channel, { auth: auth(), topics: null, lastEventId: null, keepAliveMs: 20 });
    const stopTwo = followLive(two.channel, { auth: auth(), topics: null, lastEventId: null, keepAliveMs: 20 });
    expect(one.written[0]).toMatch(/^id: \d+\nevent: ready\n/);
    await one.until((t) => t === ": keep-alive\n\n");
    await two.until((t) => t === ": keep-alive\n\n");
    expect(getHub().subscriberCount).toBe(2);
    stopOne();
    stopTwo();
    expect(getHub().subscriberCount).toBe(0);
    const count = one.written.length;
    // a stopped stream is not ticked again: the next tick of a live stream writes nothing to it
    const three = recordingChannel();
    const stopThree = followLive(three.channel, { auth: auth(), topics: null, lastEventId: null, keepAliveMs: 20 });
    await three.until((t) => t === ": keep-alive\n\n");
    stopThree();
    expect(one.written.length).toBe(count);
  });

  it("ends a cookie session's stream with session.ended once the session has expired", async () => {
    const expired = recordingChannel();
    const stop = followLive(expired.channel, { auth: auth(new Date(Date.now() - 1000)), topics: null, lastEventId: null, keepAliveMs: 20 });
    await expired.until((t) => t === "<closed>");
    expect(expired.written.slice(-2)).toEqual(['event: session.ended\ndata: {"reason":"expired"}\n\n', "<closed>"]);
    stop();
  });

  it("ends an API token's stream at the token's expiry, before any keep-alive, with token.revoked as a revocation does", async () => {
    const token = recordingChannel();
    const expiresAt = new Date(Date.now() + 300);
    // keep-alive far away: only the expiry timer can end this stream in time
    const stop = followLive(token.channel, { auth: { ...auth(expiresAt), expiryEvent: "token.revoked" as const }, topics: null, lastEventId: null, keepAliveMs: 60_000 });
    expect(token.channel.closed).toBe(false);
    await token.until((t) => t === "<closed>");
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime());
    expect(token.written.slice(-2)).toEqual(['event: token.revoked\ndata: {"reason":"expired"}\n\n', "<closed>"]);
    expect(token.written.some((t) => t.includes("keep-alive"))).toBe(false);
    stop();
  });
});

describe("followLive during a replay", () => {
  it("holds back at most maxHeldEvents live events for a client that has not drained, then drops it to resume from its last id", async () => {
    const { org } = await ownerWithOrg("held-count");
    const hub = getHub();
    const from = hub.lastId;
    // a replay page the client has not taken yet: the replay waits, the live events are held
    const spy = vi.spyOn(hub, "replay").mockResolvedValueOnce([{ id: from, orgId: org.id, topics: [topic.tasks], type: "test.replayed", data: {}, createdAt: new Date() }]);
    const slow = recordingChannel();
    slow.channel.sendEncoded = (frame) => (slow.written.push(new TextDecoder().decode(frame)), false);
    slow.channel.drained = () => new Promise<void>(() => {});
    try {
      const stop = followLive(slow.channel, { auth: { orgId: org.id, privateTopics: [], expiresAt: null }, topics: [topic.tasks], lastEventId: String(BigInt(from) - 1n), maxHeldEvents: 3 });
      await transaction(async (manager) => {
        for (let n = 0; n < 4; n++) await publish(manager, { orgId: org.id, type: "test.live", topics: [topic.tasks], data: { n } });
      });
      await slow.until((t) => t.startsWith(": closed:"));
      expect(slow.written.at(-1)).toBe(": closed: more than 3 live events or 1048576 bytes arrived while this client was replayed; reconnect with Last-Event-ID to resume");
      expect(slow.written.some((t) => t.includes("test.live"))).toBe(false);
      stop();
    } finally {
      spy.mockRestore();
    }
  });
});

describe("lastEventIdOf", () => {
  it("takes the header, else ?lastEventId=, and only an event id", () => {
    const url = new URL("http://x/events?lastEventId=9");
    expect(lastEventIdOf(new Headers({ "Last-Event-ID": "12" }), url)).toBe("12");
    expect(lastEventIdOf(new Headers(), url)).toBe("9");
    expect(lastEventIdOf(new Headers({ "Last-Event-ID": "12; drop table" }), url)).toBeNull();
    expect(lastEventIdOf(new Headers({ "Last-Event-ID": "1".repeat(20) }), url)).toBeNull();
  });
});
