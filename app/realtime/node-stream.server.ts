import type { IncomingMessage, ServerResponse } from "node:http";
import { log } from "~/lib/log.server";
import { authenticateStream, followLive, lastEventIdOf, resolveTopics } from "./stream.server";
import { writeSse } from "./sse.server";
import { claimStreamSlot } from "./stream-caps.server";

/*
 * GET /events served on the Node response (ADR 011): server.ts mounts this before Remix and
 * before compression, so every frame goes from the hub's fan-out straight to the socket. Auth,
 * topics and replay are the same functions the route module (app/routes/events.ts) calls; only
 * the transport differs. A thrown Response (401, 403, 404, 400) is answered as Remix would.
 */

function webRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  // only the path and query are read; the host is not trusted for anything
  return new Request(new URL(req.url ?? "/", "http://localhost"), { headers, signal });
}

async function answer(res: ServerResponse, response: Response) {
  const body = await response.text();
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(body);
}

/** `keepAliveMs`: the keep-alive (and expiry check) interval; tests shorten it, server.ts does not pass it. */
export async function handleEventStream(req: IncomingMessage, res: ServerResponse, { keepAliveMs }: { keepAliveMs?: number } = {}): Promise<void> {
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  const request = webRequest(req, abort.signal);
  let follow: Parameters<typeof followLive>[1];
  try {
    const auth = await authenticateStream(request);
    const url = new URL(request.url);
    const topics = await resolveTopics(auth.orgId, url.searchParams.get("topics"));
    follow = { auth, topics, lastEventId: lastEventIdOf(request.headers, url), keepAliveMs };
  } catch (error) {
    if (error instanceof Response) return answer(res, error);
    log.error("opening a live stream failed", { error: String(error) });
    return answer(res, Response.json({ error: { code: "internal", message: "The live stream could not be opened; try again shortly." } }, { status: 500 }));
  }
  // the client left while we were checking who it is
  if (abort.signal.aborted) return;
  let release: () => void;
  try {
    release = claimStreamSlot(follow.auth);
  } catch (error) {
    if (error instanceof Response) return answer(res, error);
    throw error;
  }
  // also when the socket is gone before the stream starts (release is once only)
  res.on("close", release);
  writeSse(
    res,
    (channel) => {
      const stop = followLive(channel, follow);
      return () => {
        stop();
        release();
      };
    },
    { retryMs: 2000 },
  );
}
