import { createReadableStreamFromReadable } from "@remix-run/node";
import express from "express";
import type { Server } from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptFormBodiesOnly, answerClientErrors, guardRequestTarget, limitRequestBodies } from "./request-guards.server";

/*
 * The guards in front of a handler that reads bodies the way Remix's Express adapter does (a web
 * stream pumped from the request, paused when full), checked over raw sockets: what matters is
 * what the next request on the same connection gets.
 */
let server: Server;
let port = 0;

beforeAll(async () => {
  const app = express();
  app.use(limitRequestBodies({ maxBytes: 64 * 1024, budget: { bytes: 1024 * 1024, ms: 5000 } }));
  app.use(guardRequestTarget({ maxLength: 2048 }));
  app.use(acceptFormBodiesOnly());
  // like a route that answers before reading (a bad id): the body stream is made but never read
  app.post("/api/unread", (req, res) => {
    createReadableStreamFromReadable(req);
    res.status(404).json({ error: { code: "not_found", message: "No such thing." } });
  });
  // like readJsonBody: reads up to the cap, then stops reading and answers 413
  app.post("/api/read", async (req, res) => {
    const reader = createReadableStreamFromReadable(req).getReader();
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > 64 * 1024) {
        reader.releaseLock();
        res.status(413).json({ error: { code: "payload_too_large", message: "Too large." } });
        return;
      }
    }
    res.json({ size });
  });
  // like Remix's adapter: the route comes from `new URL(originalUrl)` (dot segments resolved, case
  // ignored) and a page's action reads its body with `request.formData()`
  app.all("*", async (req, res) => {
    const url = new URL(`http://x${req.originalUrl}`);
    if (req.method !== "POST" || url.pathname.toLowerCase().startsWith("/api/")) {
      res.json({ ok: true });
      return;
    }
    const headers = new Headers({ "content-type": req.headers["content-type"] ?? "" });
    const body = createReadableStreamFromReadable(req);
    try {
      const form = await new Request(url, { method: "POST", headers, body, duplex: "half" } as RequestInit).formData();
      res.json({ page: url.pathname, bytes: [...form.values()].reduce((sum, value) => sum + String(value).length, 0) });
    } catch {
      res.status(500).json({ error: { code: "internal", message: "formData() threw" } });
    }
  });
  server = app.listen(0, "127.0.0.1");
  answerClientErrors(server);
  await new Promise((resolve) => server.once("listening", resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const LAST = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/** Raw bytes in, everything that comes back until the server closes; an error code if it resets. */
function exchange(payload: string): Promise<{ text: string; statuses: string[]; error?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    const done = (error?: string) => {
      socket.destroy();
      resolve({ text, statuses: text.match(/HTTP\/1\.1 \d{3}/g) ?? [], error });
    };
    socket.on("data", (chunk) => (text += chunk.toString("latin1")));
    socket.on("error", (error: NodeJS.ErrnoException) => done(error.code));
    socket.on("end", () => done());
    socket.write(payload);
  });
}

const post = (path: string, body: string, type = "application/json") =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe("limitRequestBodies", () => {
  it("answers a declared body over the cap 413 and then the next request on the connection", async () => {
    const result = await exchange(post("/api/read", "x".repeat(200 * 1024)) + LAST);
    expect(result.error).toBeUndefined();
    expect(result.statuses).toEqual(["HTTP/1.1 413", "HTTP/1.1 200"]);
    expect(result.text).toContain('"code":"payload_too_large"');
  });

  it("discards a body the handler never read, so the next request is answered", async () => {
    const result = await exchange(post("/api/unread", "y".repeat(60 * 1024)) + LAST);
    expect(result).toMatchObject({ statuses: ["HTTP/1.1 404", "HTTP/1.1 200"], error: undefined });
  });

  it("discards the rest of a streamed body the handler stopped reading at the cap", async () => {
    const chunk = "z".repeat(16 * 1024);
    const chunks = Array.from({ length: 12 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join("");
    const result = await exchange(`POST /api/read HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n` + LAST);
    expect(result).toMatchObject({ statuses: ["HTTP/1.1 413", "HTTP/1.1 200"], error: undefined });
  });

  it("closes the connection after answering a body beyond what it will discard", async () => {
    const result = await exchange(`POST /api/read HTTP/1.1\r\nHost: x\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n` + "w".repeat(1024));
    expect(result.statuses).toEqual(["HTTP/1.1 413"]);
    expect(result.text).toMatch(/Connection: close/i);
  });

  it("asks for the length of a streamed form sent to a page by way of /api/../, instead of reading it whole", async () => {
    const chunk = "a=" + "z".repeat(16 * 1024 - 2);
    const chunks = Array.from({ length: 12 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join("");
    const result = await exchange(`POST /api/../login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n` + LAST);
    expect(result).toMatchObject({ statuses: ["HTTP/1.1 411", "HTTP/1.1 200"], error: undefined });
  });

  it("asks a page's streamed (chunked) form for its length", async () => {
    const result = await exchange(`POST /boards HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n3\r\na=b\r\n0\r\n\r\n` + LAST);
    expect(result.statuses).toEqual(["HTTP/1.1 411", "HTTP/1.1 200"]);
  });
});

describe("guardRequestTarget", () => {
  it("refuses a NUL in an API path or query with the API's error shape", async () => {
    const path = await exchange("GET /api/tasks/%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(path.statuses).toEqual(["HTTP/1.1 400"]);
    expect(path.text).toContain('"code":"invalid_text"');
    const query = await exchange("GET /api/tasks?agent=a%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(query.text).toContain('The query parameter \\"agent\\" contains a NUL character');
  });

  it("refuses a NUL in a page's query with a line of text", async () => {
    const result = await exchange("GET /activity?type=%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(result.statuses).toEqual(["HTTP/1.1 400"]);
    expect(result.text).toMatch(/text\/plain[^]*The query parameter "type" contains a NUL character/);
  });

  // Remix resolves these to the page after them, so a guard reading the raw path took them for the API.
  it.each(["/api/../login", "/api/%2e%2e/setup", "/api/%2E%2e/login", "/api/.%2E/login", "/api\\..\\login", "/api/./login", "/boards/%2e"])(
    "refuses the dot segments in %s with a 400, never a 500, and keeps the connection",
    async (path) => {
      const result = await exchange(post(path, '{"email":"a@b.c"}') + LAST);
      expect(result.statuses).toEqual(["HTTP/1.1 400", "HTTP/1.1 200"]);
      expect(result.text).toContain("segment; ask for the page or endpoint by its own path.");
    },
  );

  it("answers an API path in any case with the API's error shape", async () => {
    const result = await exchange("GET /API/Tasks/%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(result.statuses).toEqual(["HTTP/1.1 400"]);
    expect(result.text).toContain('"code":"invalid_text"');
  });

  it("refuses broken percent-encoding in the path and an address over the limit", async () => {
    expect((await exchange("GET /boards/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).statuses).toEqual(["HTTP/1.1 400"]);
    expect((await exchange(`GET /boards?q=${"a".repeat(3000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).statuses).toEqual(["HTTP/1.1 414"]);
  });
});

describe("acceptFormBodiesOnly", () => {
  it.each(["application/json", "text/plain", "multipart/form-data; boundary=x"])("answers a page a %s body 415 and keeps the connection", async (type) => {
    const result = await exchange(post("/boards", "{}", type) + LAST);
    expect(result.statuses).toEqual(["HTTP/1.1 415", "HTTP/1.1 200"]);
  });

  it("lets an urlencoded form through, and any body to the API", async () => {
    expect((await exchange(post("/boards", "a=b", "application/x-www-form-urlencoded") + LAST)).statuses).toEqual(["HTTP/1.1 200", "HTTP/1.1 200"]);
    expect((await exchange(post("/api/read", "{}") + LAST)).statuses).toEqual(["HTTP/1.1 200", "HTTP/1.1 200"]);
  });

  it("lets a JSON body through to the API addressed in capitals (Remix routes it there)", async () => {
    expect((await exchange(post("/API/tasks", "{}") + LAST)).statuses).toEqual(["HTTP/1.1 200", "HTTP/1.1 200"]);
  });
});

describe("answerClientErrors", () => {
  it("answers headers over Node's limit 431 with a sentence (JSON under /api)", async () => {
    const page = await exchange(`GET /?q=${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(page.statuses).toEqual(["HTTP/1.1 431"]);
    expect(page.text).toContain("larger than 16 kB");
    const api = await exchange(`GET /api/tasks?q=${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(api.text).toContain('"message":"The request\'s address or headers are larger than 16 kB."');
    const capitals = await exchange(`GET /Api/tasks?q=${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(capitals.text).toContain('"code":"request_header_fields_too_large"');
  });

  it("answers a malformed request line 400 with a sentence", async () => {
    const result = await exchange("NOT HTTP AT ALL\r\n\r\n");
    expect(result.statuses).toEqual(["HTTP/1.1 400"]);
    expect(result.text).toContain("not valid HTTP/1.1");
  });
});
