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
 * Both bound what a client may owe: a client whose socket stops draining (a stalled tab, a dead
 * link the kernel has not noticed yet) is closed once more than `maxBufferedBytes` wait for it,
 * with a comment saying why, instead of growing the process's memory. The browser reconnects
 * with Last-Event-ID and is replayed what it missed.
 */

export interface SseMessage {
  id?: string;
  event: string;
  data: unknown;
}

export interface SseChannel {
  send(message: SseMessage): void;
  /** a frame already encoded with encodeMessage(): fan-out encodes once for every subscriber */
  sendEncoded(frame: Uint8Array): void;
  comment(text: string): void;
  close(): void;
  readonly closed: boolean;
}

export interface SseOptions {
  headers?: HeadersInit;
  retryMs?: number;
  /** bytes a client may have waiting before it is dropped */
  maxBufferedBytes?: number;
}

/** 256 kB: dozens of ordinary events, a few large ones; a client further behind is cheaper replayed. */
export const MAX_BUFFERED_BYTES = 256 * 1024;

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

const OVERFLOW = (max: number) => `closed: this client fell more than ${max} bytes behind; reconnect with Last-Event-ID to resume`;

type Init = (channel: SseChannel) => (() => void) | void;

/**
 * The channel logic both transports share: `write` puts bytes on the wire, `buffered` says how many
 * wait, `end` finishes the response. Cleanup runs once, whichever side closes first.
 */
function channelOver(transport: { write(chunk: Uint8Array): void; buffered(): number; end(last?: Uint8Array): void }, maxBufferedBytes: number) {
  let closed = false;
  let cleanup: (() => void) | void;
  const finish = () => {
    if (closed) return false;
    closed = true;
    cleanup?.();
    return true;
  };
  const write = (frame: Uint8Array) => {
    if (closed) return;
    if (transport.buffered() + frame.byteLength > maxBufferedBytes) {
      log.warn("dropped a live stream that stopped reading", { bufferedBytes: transport.buffered(), maxBufferedBytes });
      if (finish()) transport.end(encodeComment(OVERFLOW(maxBufferedBytes)));
      return;
    }
    transport.write(frame);
  };
  const channel: SseChannel = {
    get closed() {
      return closed;
    },
    send: (message) => write(encodeMessage(message)),
    sendEncoded: write,
    comment: (text) => write(encodeComment(text)),
    close() {
      if (finish()) transport.end();
    },
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
  const max = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  let destroyTimer: NodeJS.Timeout | undefined;
  const { ended, start } = channelOver(
    {
      write: (chunk) => void res.write(chunk),
      buffered: () => res.writableLength,
      end(last) {
        res.end(last);
        // a client that never reads would hold the socket and its buffer: let go after a grace period
        destroyTimer = setTimeout(() => res.destroy(), 5000);
        destroyTimer.unref();
      },
    },
    max,
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

/** A text/event-stream Response; aborting `signal` or cancelling the body cleans up. */
export function sseResponse(signal: AbortSignal, init: Init, options: SseOptions = {}): Response {
  const max = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  let onAbort = () => {};
  let cancelled = () => {};
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const { channel, ended, start } = channelOver(
          {
            write: (chunk) => controller.enqueue(chunk),
            buffered: () => max - (controller.desiredSize ?? 0),
            end(last) {
              signal.removeEventListener("abort", onAbort);
              if (last) controller.enqueue(last);
              controller.close();
            },
          },
          max,
        );
        // the request went away: end the body too, so whoever reads it sees the end
        onAbort = () => channel.close();
        signal.addEventListener("abort", onAbort);
        if (options.retryMs) controller.enqueue(encoder.encode(`retry: ${options.retryMs}\n\n`));
        if (signal.aborted) return channel.close();
        start(init);
        cancelled = ended;
      },
      cancel() {
        signal.removeEventListener("abort", onAbort);
        cancelled();
      },
    },
    // the queue counts bytes, so desiredSize says how much room is left before the bound
    { highWaterMark: max, size: (chunk) => chunk.byteLength },
  );
  const headers = new Headers(options.headers);
  for (const [name, value] of Object.entries(SSE_HEADERS)) headers.set(name, value);
  return new Response(stream, { headers });
}
