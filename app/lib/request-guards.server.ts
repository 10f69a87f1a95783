import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { describePath, textProblem, textProblemMessage } from "./input-guard";

/*
 * What server.ts checks before Remix sees a request, so that no route can forget it:
 * - a body over the cap is answered 413 before it is read, and what the client still sends is
 *   read and thrown away, so the next request on the keep-alive connection is parsed cleanly
 *   (before, the unread rest of the body sat in front of it and the connection was reset);
 * - after any answer that left part of a body unread (a 404 for a bad id, a 401, a JSON body cut
 *   off at the cap), the rest is discarded the same way, within a budget;
 * - a page (not the API) takes only urlencoded forms: other bodies made `request.formData()` throw;
 * - an address or query parameter carrying a NUL is refused with a sentence (it would reach
 *   PostgreSQL from any loader that filters by it);
 * - an address with `.`/`..` segments is refused: Remix resolves them (`/api/../login` is the
 *   login page), so no guard could tell which route a request will reach;
 * - an address too long to be one of ours is a 414, and the requests Node's parser refuses
 *   (headers over 16 kB, malformed lines) get a sentence instead of an empty answer.
 * Answers under /api/ have the API's JSON error shape; other paths get a line of text. Which of
 * the two a request is comes from `routePathname`, the path as Remix will route it.
 */

export const MAX_BODY_BYTES = 1024 * 1024;
/** The longest request target (path + query) any page or endpoint of ours needs, with room to spare. */
export const MAX_TARGET_LENGTH = 8 * 1024;
/** How much of a refused or unread body is read and discarded to keep the connection usable. */
export const DRAIN_BUDGET = { bytes: 16 * 1024 * 1024, ms: 30_000 };

type Next = (error?: unknown) => void;

/**
 * The pathname Remix will route: its Express adapter parses `originalUrl` with `new URL`, which
 * resolves dot segments, reads `\` as `/` and keeps `//host/...` a path. Every guard decision is
 * made on this, never on the raw target, or a request could be judged as one route and run as another.
 */
export function routePathname(target: string) {
  try {
    return new URL(`http://x${target}`).pathname;
  } catch {
    return target;
  }
}

/** Remix matches routes case-insensitively, so `/API/tasks` is the API too. */
function isApiTarget(target: string) {
  const pathname = routePathname(target).toLowerCase();
  return pathname === "/api" || pathname.startsWith("/api/");
}

function isApiPath(req: IncomingMessage) {
  return isApiTarget((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "/");
}

/** Ends the exchange with a 4xx in the shape the path's clients expect. */
export function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, { close = false } = {}) {
  const api = isApiPath(req);
  const body = api ? JSON.stringify({ error: { code, message } }) : `${message}\n`;
  res.statusCode = status;
  res.setHeader("Content-Type", api ? "application/json; charset=utf-8" : "text/plain; charset=utf-8");
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  if (close) res.setHeader("Connection", "close");
  res.end(body);
}

/**
 * Reads and throws away what is left of the request body (taking it from whoever listened, e.g.
 * Remix's body stream), so Node's parser reaches the next request on the connection. A client
 * that sends more than the budget, or too slowly, loses the connection instead.
 */
export function discardRestOfBody(req: IncomingMessage, budget = DRAIN_BUDGET) {
  if (req.complete || req.destroyed) return;
  req.removeAllListeners("data");
  let seen = 0;
  const giveUp = () => req.socket.destroy();
  const timer = setTimeout(giveUp, budget.ms);
  timer.unref();
  const done = () => clearTimeout(timer);
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > budget.bytes) {
      done();
      giveUp();
    }
  });
  req.once("end", done);
  req.once("close", done);
  req.resume();
}

/** Express middleware: the body cap (413) and the discarding of unread bodies after every answer. */
export function limitRequestBodies({ maxBytes = MAX_BODY_BYTES, budget = DRAIN_BUDGET } = {}) {
  return (req: IncomingMessage, res: ServerResponse, next: Next) => {
    const lengthHeader = req.headers["content-length"];
    const declared = lengthHeader === undefined ? undefined : Number(lengthHeader);
    if (declared !== undefined && declared > maxBytes) {
      const kb = Math.round(maxBytes / 1024);
      // Small enough to read past: keep the connection. Beyond the budget, close it after the answer.
      const close = declared > budget.bytes;
      discardRestOfBody(req, budget);
      refuse(req, res, 413, "payload_too_large", `The request body is larger than ${kb} KB (it declares ${declared} bytes).`, { close });
      return;
    }
    if (declared === undefined && req.headers["transfer-encoding"] && !isApiPath(req)) {
      // Browsers always send a form with its length; only the API's JSON reader counts a stream.
      discardRestOfBody(req, budget);
      refuse(req, res, 411, "length_required", "Send the form with a Content-Length header.");
      return;
    }
    res.once("finish", () => discardRestOfBody(req, budget));
    next();
  };
}

const BODYLESS_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Express middleware: a page's action reads its body with `request.formData()`, which throws on
 * anything but a form (a JSON or text/plain body, a broken multipart one) and so answered 500.
 * Our pages post urlencoded forms (Remix's client sends those too) and take no uploads, so any
 * other body to a page is refused here. The API reads JSON itself and is not affected.
 */
export function acceptFormBodiesOnly() {
  return (req: IncomingMessage, res: ServerResponse, next: Next) => {
    if (BODYLESS_METHODS.has(req.method ?? "GET") || isApiPath(req)) return next();
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type === "application/x-www-form-urlencoded") return next();
    discardRestOfBody(req);
    refuse(req, res, 415, "unsupported_media_type", `Pages take forms sent as application/x-www-form-urlencoded; this request sent ${type ? JSON.stringify(type) : "no Content-Type"}.`);
  };
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Express middleware: refuses request targets no page or endpoint can mean. */
export function guardRequestTarget({ maxLength = MAX_TARGET_LENGTH } = {}) {
  return (req: IncomingMessage, res: ServerResponse, next: Next) => {
    const target = req.url ?? "/";
    if (target.length > maxLength) {
      refuse(req, res, 414, "uri_too_long", `The address is ${target.length} characters long; this server reads at most ${maxLength}.`);
      return;
    }
    const queryAt = target.indexOf("?");
    const pathname = queryAt === -1 ? target : target.slice(0, queryAt);
    // `\` separates segments too: the URL parser Remix uses treats it as `/`.
    for (const segment of pathname.split(/[/\\]/)) {
      const decoded = decodeSegment(segment);
      if (decoded === null) {
        refuse(req, res, 400, "invalid_path", "The address is not valid percent-encoded UTF-8. Check the link.");
        return;
      }
      // `.`, `..`, `%2e`, `.%2E`…: the URL parser resolves all of them, so the path we see is not the route that runs.
      if (decoded === "." || decoded === "..") {
        refuse(req, res, 400, "invalid_path", "The address contains a \".\" or \"..\" segment; ask for the page or endpoint by its own path.");
        return;
      }
      const problem = textProblem(decoded);
      if (problem) {
        refuse(req, res, 400, "invalid_text", textProblemMessage("The address", problem));
        return;
      }
    }
    if (queryAt !== -1) {
      for (const [key, value] of new URLSearchParams(target.slice(queryAt + 1))) {
        const problem = textProblem(key) ?? textProblem(value);
        if (problem) {
          refuse(req, res, 400, "invalid_text", textProblemMessage(`The query parameter ${JSON.stringify(describePath([key]))}`, problem));
          return;
        }
      }
    }
    next();
  };
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large", "The request's address or headers are larger than 16 kB."],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, "Payload Too Large", "The request's chunk extensions are too large."],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout", "The request took too long to arrive."],
};

/**
 * Requests Node's HTTP parser refuses never reach Express; Node answers them with an empty 4xx.
 * This answers with a sentence, then closes the connection once the client has read it.
 */
export function answerClientErrors(server: Server) {
  const answered = new WeakSet<Socket>();
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (answered.has(socket)) return;
    answered.add(socket);
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, reason, message] = CLIENT_ERRORS[error.code ?? ""] ?? [400, "Bad Request", "The request is not valid HTTP/1.1."];
    // Node hands over the bytes it had read: enough to tell an API request by its target, read as Remix would.
    const head = (error as { rawPacket?: Buffer }).rawPacket?.subarray(0, 64).toString("latin1") ?? "";
    const api = isApiTarget(/^[A-Z]+ (\S+)/.exec(head)?.[1] ?? "/");
    const body = api ? JSON.stringify({ error: { code: reason.toLowerCase().replace(/ /g, "_"), message } }) : `${message}\n`;
    const type = api ? "application/json" : "text/plain";
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // Leave the socket to close when the client does (it has our answer by then), or soon.
    setTimeout(() => socket.destroy(), 2000).unref();
  });
}
