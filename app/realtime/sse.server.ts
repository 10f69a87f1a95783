import type { ServerResponse } from "node:http";
import { log } from "~/lib/log.server";

/*
 * The text/event-stream wire format and two ways to carry it. remix-utils' eventStream writes only
 * `event:` and `data:` lines, and replay needs an `id:` on every message and keep-alive comments,
 * so this small writer does what the spec asks: one chunk per message, data on a single line,
 * comments for keep-alive.
 *
 * - `writeSse(res, …)` writes to the Node response itself (what GET /events uses, ADR 011): a
 *   frame encoded once is handed to every socket as the same bytes, with no web stream, reader
 *   loop or promise per client in between.
 * - `sseResponse(signal, …)` is a web Response, for the route module when a request reaches it
 *   through Remix (tests, or a server that does not mount the Node handler).
 *
 * Both bound what a client may owe. A write that fills the client's buffer past its high-water
 * mark arms a timer: a client that does not drain within `drainTimeoutMs` (a stalled tab, a dead
 * link the kernel has not noticed yet), or that has more than `maxBufferedBytes` waiting, is closed
 * with a comment saying why, instead of growing the process's memory. A burst that a live client
 * drains in time (a catch-up after a lost LISTEN) is not a reason to drop it. The browser reconnects
 * with Last-Event-ID and is replayed what it missed; replay itself waits for the buffer to drain.
 */

export interface SseMessage {
  id?: string;
  event: string;
  data: unknown;
}

export interface SseChannel {
  /** false when the client's buffer is past its high-water mark: wait for drained() before more */
  send(message: SseMessage): boolean;
  /** a frame already encoded with encodeMessage(): fan-out encodes once for every subscriber */
  sendEncoded(frame: Uint8Array): boolean;
  comment(text: string): boolean;
  /** resolves once the client has taken what waits for it (or the channel closed) */
  drained(): Promise<void>;
  close(): void;
  /** closes with a comment saying why, so the client reconnects with Last-Event-ID and is replayed what it missed */
  drop(why: string): void;
  readonly closed: boolean;
}

export interface SseOptions {
  headers?: HeadersInit;
  retryMs?: number;
  /** bytes a client may have waiting before it is dropped at once */
  maxBufferedBytes?: number;
  /** how long a client past its high-water mark has to drain before it is dropped */
  drainTimeoutMs?: number;
}

/** 1 MB: a catch-up burst of a thousand ordinary events; a client further behind is cheaper replayed. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
export const DRAIN_TIMEOUT_MS = 10_000;

const encoder = new TextEncoder();

export function formatMessage({ id, event, data }: SseMessage): string {
  // JSON.stringify never emits a raw newline, so the payload is always one `data:` line.
  const payload = typeof data === "string" ? data.replace(/[\r\n]+/g, " ") : JSON.stringify(data);
  return `${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${payload}\n\n`;
}

export function encodeMessage(message: SseMessage): Uint8Array {
  return encoder.encode(formatMessage(message));
}

export function encodeComment(text: string): Uint8Array {
  return encoder.encode(`: ${text.replace(/[\r\n]+/g, " ")}\n\n`);
}

export const SSE_HEADERS: Record<string, string> = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  // Tell reverse proxies (nginx) not to buffer the stream.
  "X-Accel-Buffering": "no",
};

type Init = (channel: SseChannel) => (() => void) | void;

interface Transport {
  /** false: past the high-water mark */
  write(chunk: Uint8Array): boolean;
  buffered(): number;
  drained(): Promise<void>;
  end(last?: Uint8Array): void;
}

/** The channel logic both transports share. Cleanup runs once, whichever side closes first. */
function channelOver(transport: Transport, { maxBufferedBytes = MAX_BUFFERED_BYTES, drainTimeoutMs = DRAIN_TIMEOUT_MS }: SseOptions) {
  let closed = false;
  let cleanup: (() => void) | void;
  let stall: NodeJS.Timeout | undefined;
  const finish = () => {
    if (closed) return false;
    closed = true;
    clearTimeout(stall);
    cleanup?.();
    return true;
  };
  const drop = (why: string) => {
    log.warn("dropped a live stream that fell behind", { why, bufferedBytes: transport.buffered() });
    if (finish()) transport.end(encodeComment(`closed: ${why}; reconnect with Last-Event-ID to resume`));
  };
  const write = (frame: Uint8Array) => {
    if (closed) return false;
    if (transport.buffered() + frame.byteLength > maxBufferedBytes) {
      drop(`this client fell more than ${maxBufferedBytes} bytes behind`);
      return false;
    }
    const ok = transport.write(frame);
    if (!ok && !stall) {
      stall = setTimeout(() => drop(`this client did not take its events within ${drainTimeoutMs} ms`), drainTimeoutMs);
      stall.unref();
      void transport.drained().then(() => {
        clearTimeout(stall);
        stall = undefined;
      });
    }
    return ok;
  };
  const channel: SseChannel = {
    get closed() {
      return closed;
    },
    send: (message) => write(encodeMessage(message)),
    sendEncoded: write,
    comment: (text) => write(encodeComment(text)),
    drained: () => (closed ? Promise.resolve() : transport.drained()),
    close() {
      if (finish()) transport.end();
    },
    drop,
  };
  return {
    channel,
    /** the other side went away */
    ended: () => void finish(),
    start(init: Init) {
      cleanup = init(channel);
      // closed during init (an end event in the replay): cleanup was not set when finish() ran
      if (closed) cleanup?.();
    },
  };
}

/** Streams to a Node response (status, headers and all). The socket closing cleans up. */
export function writeSse(res: ServerResponse, init: Init, options: SseOptions = {}): void {
  let destroyTimer: NodeJS.Timeout | undefined;
  const { ended, start } = channelOver(
    {
      write: (chunk) => res.write(chunk),
      buffered: () => res.writableLength,
      drained: () =>
        new Promise<void>((resolve) => {
          if (!res.writableNeedDrain || res.destroyed) return resolve();
          const done = () => {
            res.off("drain", done).off("close", done);
            resolve();
          };
          res.on("drain", done).on("close", done);
        }),
      end(last) {
        // the connection ends with the stream (no keep-alive after it): what follows is a reconnect
        const socket = res.socket;
        res.once("finish", () => socket?.end());
        res.end(last);
        // a client that never reads would hold the socket and its buffer: let go after a grace period
        destroyTimer = setTimeout(() => res.destroy(), 5000);
        destroyTimer.unref();
      },
    },
    options,
  );
  res.on("close", () => {
    clearTimeout(destroyTimer);
    ended();
  });
  const headers = new Headers(options.headers);
  for (const [name, value] of Object.entries(SSE_HEADERS)) headers.set(name, value);
  res.writeHead(200, Object.fromEntries(headers));
  if (options.retryMs) res.write(`retry: ${options.retryMs}\n\n`);
  else res.flushHeaders();
  if (res.destroyed) return ended();
  start(init);
}

/** The web body's high-water mark: like a Node socket's, a few frames. */
const WEB_HIGH_WATER = 16 * 1024;

/** A text/event-stream Response; aborting `signal` or cancelling the body cleans up. */
export function sseResponse(signal: AbortSignal, init: Init, options: SseOptions = {}): Response {
  let onAbort = () => {};
  let cancelled = () => {};
  let pulled: Array<() => void> = [];
  const wakePulled = () => {
    const waiting = pulled;
    pulled = [];
    for (const resolve of waiting) resolve();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const { channel, ended, start } = channelOver(
          {
            write(chunk) {
              controller.enqueue(chunk);
              return (controller.desiredSize ?? 0) > 0;
            },
            buffered: () => WEB_HIGH_WATER - (controller.desiredSize ?? 0),
            drained: () => ((controller.desiredSize ?? 0) > 0 ? Promise.resolve() : new Promise<void>((resolve) => pulled.push(resolve))),
            end(last) {
              signal.removeEventListener("abort", onAbort);
              if (last) controller.enqueue(last);
              controller.close();
              wakePulled();
            },
          },
          options,
        );
        // the request went away: end the body too, so whoever reads it sees the end
        onAbort = () => channel.close();
        signal.addEventListener("abort", onAbort);
        if (options.retryMs) controller.enqueue(encoder.encode(`retry: ${options.retryMs}\n\n`));
        if (signal.aborted) return channel.close();
        start(init);
        cancelled = () => {
          ended();
          wakePulled();
        };
      },
      pull() {
        wakePulled();
      },
      cancel() {
        signal.removeEventListener("abort", onAbort);
        cancelled();
      },
    },
    // the queue counts bytes, so desiredSize says how much room is left before the high-water mark
    { highWaterMark: WEB_HIGH_WATER, size: (chunk) => chunk.byteLength },
  );
  const headers = new Headers(options.headers);
  for (const [name, value] of Object.entries(SSE_HEADERS)) headers.set(name, value);
  return new Response(stream, { headers });
}
