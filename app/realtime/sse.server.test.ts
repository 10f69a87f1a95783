import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { encodeMessage, formatMessage, sseResponse, writeSse, type SseChannel, type SseOptions } from "./sse.server";

describe("formatMessage", () => {
  it("writes id, event and one data line", () => {
    expect(formatMessage({ id: "7", event: "task.updated", data: { a: "x\ny" } })).toBe('id: 7\nevent: task.updated\ndata: {"a":"x\\ny"}\n\n');
    expect(formatMessage({ event: "note", data: "two\r\nlines" })).toBe("event: note\ndata: two lines\n\n");
  });
});

/** A server whose every request becomes a writeSse channel handed to the test. */
async function sseServer(options: SseOptions = {}) {
  const channels: Array<{ channel: SseChannel; cleanups: number; gone: Promise<void> }> = [];
  let arrived: Array<() => void> = [];
  const server = http.createServer((_req, res) => {
    writeSse(
      res,
      (channel) => {
        let gone!: () => void;
        const entry = { channel, cleanups: 0, gone: new Promise<void>((resolve) => (gone = resolve)) };
        channels.push(entry);
        for (const wake of arrived.splice(0)) wake();
        return () => {
          entry.cleanups++;
          gone();
        };
      },
      { retryMs: 1500, ...options },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    channels,
    /** the channel of the n-th request (0-based), once it has arrived */
    channel: (n: number) => new Promise<(typeof channels)[number]>((resolve) => {
      const check = () => (channels[n] ? resolve(channels[n]!) : arrived.push(check));
      check();
    }),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An HTTP client that collects the body as text and can be told to wait for some of it. */
function reader(port: number) {
  let text = "";
  let ended = false;
  let waiters: Array<() => void> = [];
  let headers: http.IncomingHttpHeaders = {};
  const request = http.get({ host: "127.0.0.1", port, path: "/" }, (response) => {
    headers = response.headers;
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => {
      text += chunk;
      for (const wake of waiters.splice(0)) wake();
    });
    response.on("end", () => {
      ended = true;
      for (const wake of waiters.splice(0)) wake();
    });
  });
  request.on("error", () => {});
  const until = (check: () => boolean) =>
    new Promise<void>((resolve) => {
      const test = () => (check() ? resolve() : waiters.push(test));
      test();
    });
  return {
    get text() {
      return text;
    },
    get headers() {
      return headers;
    },
    until,
    untilText: (needle: string) => until(() => text.includes(needle)),
    untilEnded: () => until(() => ended),
    destroy: () => request.destroy(),
  };
}

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

describe("writeSse on a Node response", () => {
  it("sends the stream headers, the retry hint and frames exactly as encoded; the server closing ends the response and cleans up once", async () => {
    const server = await sseServer();
    servers.push(server);
    const client = reader(server.port);
    const { channel } = await server.channel(0);
    await client.untilText("retry: 1500\n\n");
    expect(client.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(client.headers["cache-control"]).toBe("no-cache, no-transform");
    expect(client.headers["x-accel-buffering"]).toBe("no");
    expect(client.headers["content-encoding"]).toBeUndefined();

    const frame = encodeMessage({ id: "1", event: "task.updated", data: { n: 1 } });
    expect(channel.sendEncoded(frame)).toBe(true);
    channel.comment("keep-alive");
    await client.untilText(": keep-alive\n\n");
    expect(client.text).toBe('retry: 1500\n\nid: 1\nevent: task.updated\ndata: {"n":1}\n\n: keep-alive\n\n');

    channel.close();
    channel.close();
    await client.untilEnded();
    expect(server.channels[0]!.cleanups).toBe(1);
    expect(channel.send({ event: "late", data: {} })).toBe(false);
  });

  it("cleans up when the client goes away (no subscriber outlives its socket)", async () => {
    const server = await sseServer();
    servers.push(server);
    const client = reader(server.port);
    const entry = await server.channel(0);
    await client.untilText("retry:");
    client.destroy();
    await entry.gone;
    expect(entry.channel.closed).toBe(true);
    expect(entry.cleanups).toBe(1);
  });

  it("drops a client that stops reading, with a comment saying why, while a reading client gets every frame", async () => {
    const server = await sseServer({ drainTimeoutMs: 300, maxBufferedBytes: 512 * 1024 });
    servers.push(server);
    const fast = reader(server.port);
    const fastEntry = await server.channel(0);
    // the slow client: a raw socket that sends its request and then reads nothing
    const slow = net.connect(server.port, "127.0.0.1");
    slow.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    slow.pause();
    const slowEntry = await server.channel(1);
    await fast.untilText("retry:");

    // 64 kB frames, one per turn of the event loop as live fan-out writes them
    const payload = "x".repeat(64 * 1024);
    let sent = 0;
    while (!slowEntry.channel.closed && sent < 2000) {
      fastEntry.channel.send({ id: String(sent), event: "big", data: payload });
      slowEntry.channel.send({ id: String(sent), event: "big", data: payload });
      sent++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(slowEntry.channel.closed).toBe(true);
    expect(slowEntry.cleanups).toBe(1);
    expect(fastEntry.channel.closed).toBe(false);
    fastEntry.channel.send({ id: "last", event: "done", data: {} });
    await fast.untilText("id: last\n");
    expect(fast.text.match(/event: big/g)).toHaveLength(sent);

    // reading again, the slow client finds the reason at the end of what it was sent, then the end
    let tail = "";
    slow.setEncoding("utf8");
    slow.on("data", (chunk: string) => (tail = (tail + chunk).slice(-2000)));
    slow.resume();
    await new Promise<void>((resolve) => slow.on("end", resolve));
    expect(tail).toMatch(/: closed: this client (fell more than \d+ bytes behind|did not take its events within 300 ms); reconnect with Last-Event-ID to resume\n\n\r\n0\r\n\r\n$/);
  });
});

describe("writeSse's drain timeout", () => {
  it("keeps a client that takes a burst in time and drops one that does not take it within the timeout", async () => {
    const server = await sseServer({ drainTimeoutMs: 400, maxBufferedBytes: 64 * 1024 * 1024 });
    servers.push(server);
    const fast = reader(server.port);
    const fastEntry = await server.channel(0);
    const slow = net.connect(server.port, "127.0.0.1");
    slow.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    slow.pause();
    const slowEntry = await server.channel(1);
    await fast.untilText("retry:");

    // 8 MB in one turn: more than the kernel's socket buffers hold, far less than the byte bound
    const frame = encodeMessage({ event: "burst", data: "y".repeat(1024 * 1024) });
    for (let n = 0; n < 8; n++) {
      fastEntry.channel.sendEncoded(frame);
      slowEntry.channel.sendEncoded(frame);
    }
    await fast.until(() => (fast.text.match(/event: burst/g) ?? []).length === 8);
    await slowEntry.gone;
    expect(fastEntry.channel.closed).toBe(false);
    let tail = "";
    slow.setEncoding("utf8").on("data", (chunk: string) => (tail = (tail + chunk).slice(-300)));
    await new Promise<void>((resolve) => slow.once("end", resolve).resume());
    expect(tail).toContain(": closed: this client did not take its events within 400 ms; reconnect with Last-Event-ID to resume\n\n");
  });
});

describe("sseResponse (the web body, for requests through Remix)", () => {
  it("cleans up once when the request is aborted or the body cancelled, and ends the body", async () => {
    let cleanups = 0;
    const abort = new AbortController();
    const response = sseResponse(abort.signal, () => () => void cleanups++);
    const body = response.body!.getReader();
    abort.abort();
    expect(await body.read()).toEqual({ done: true, value: undefined });
    expect(cleanups).toBe(1);

    let cancelled = 0;
    const second = sseResponse(new AbortController().signal, () => () => void cancelled++);
    await second.body!.cancel();
    expect(cancelled).toBe(1);
  });

  it("says when the body is full and resolves drained() once it is read", async () => {
    let channel!: SseChannel;
    const response = sseResponse(new AbortController().signal, (c) => void (channel = c));
    const frame = new Uint8Array(10 * 1024);
    expect(channel.sendEncoded(frame)).toBe(true);
    expect(channel.sendEncoded(frame)).toBe(false);
    let drained = false;
    const waiting = channel.drained().then(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    const body = response.body!.getReader();
    await body.read();
    await body.read();
    await waiting;
    expect(drained).toBe(true);
    channel.close();
  });
});
