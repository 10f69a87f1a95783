import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/support/db";
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
