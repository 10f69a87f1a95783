/*
 * A text/event-stream Response. remix-utils' eventStream writes only `event:` and `data:` lines,
 * and replay needs an `id:` on every message and keep-alive comments, so this small writer does
 * what the spec asks: one chunk per message, data on a single line, comments for keep-alive.
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

const encoder = new TextEncoder();

export function formatMessage({ id, event, data }: SseMessage): string {
  // JSON.stringify never emits a raw newline, so the payload is always one `data:` line.
  const payload = typeof data === "string" ? data.replace(/[\r\n]+/g, " ") : JSON.stringify(data);
  return `${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${payload}\n\n`;
}

export function encodeMessage(message: SseMessage): Uint8Array {
  return encoder.encode(formatMessage(message));
}

export function sseResponse(
  signal: AbortSignal,
  init: (channel: SseChannel) => (() => void) | void,
  options: { headers?: HeadersInit; retryMs?: number } = {},
): Response {
  let cleanup: (() => void) | void;
  let closed = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const channel: SseChannel = {
        get closed() {
          return closed;
        },
        send(message) {
          if (!closed) controller.enqueue(encodeMessage(message));
        },
        sendEncoded(frame) {
          if (!closed) controller.enqueue(frame);
        },
        comment(text) {
          if (!closed) controller.enqueue(encoder.encode(`: ${text.replace(/[\r\n]+/g, " ")}\n\n`));
        },
        close() {
          if (closed) return;
          closed = true;
          signal.removeEventListener("abort", onAbort);
          cleanup?.();
          controller.close();
        },
      };
      const onAbort = () => channel.close();
      signal.addEventListener("abort", onAbort);
      if (options.retryMs) controller.enqueue(encoder.encode(`retry: ${options.retryMs}\n\n`));
      cleanup = init(channel);
      if (signal.aborted) channel.close();
    },
    cancel() {
      if (closed) return;
      closed = true;
      cleanup?.();
    },
  });
  const headers = new Headers(options.headers);
  headers.set("Content-Type", "text/event-stream; charset=utf-8");
  headers.set("Cache-Control", "no-cache, no-transform");
  headers.set("Connection", "keep-alive");
  // Tell reverse proxies (nginx) not to buffer the stream.
  headers.set("X-Accel-Buffering", "no");
  return new Response(stream, { headers });
}
