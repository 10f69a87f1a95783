#!/usr/bin/env node
// A stand-in for a model provider, so a gateway started by scripts/openclaw-gateway.sh can run
// agent turns with no network: an OpenAI-compatible chat-completions endpoint on loopback that
// answers "mock reply: <the user's last words>" and reports fixed, non-zero token usage (so cost
// figures are non-zero too). MOCK_MODEL_PORT picks the port (default 18799).
import { appendFileSync } from "node:fs";
import http from "node:http";

const port = Number(process.env.MOCK_MODEL_PORT ?? 18799);
const USAGE = { prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050, prompt_tokens_details: { cached_tokens: 100 } };

function textOf(content) {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part?.text === "string" ? part.text : "")).join("");
  return "";
}

// The gateway wraps the operator's words: extra user messages with its internal context, and in
// the real one a sender header before and a "Runtime: …" paragraph after. The reply echoes the
// last paragraph that is the operator's own.
function replyFor(messages = []) {
  const users = messages.filter((m) => m?.role === "user").map((m) => textOf(m.content));
  const own = users.filter((text) => !text.includes("OPENCLAW_INTERNAL_CONTEXT"));
  const paragraphs = (own.at(-1) ?? "").split(/\n\s*\n/).map((p) => p.trim());
  const words = paragraphs.filter((p) => p !== "" && !p.startsWith("Runtime:") && !p.startsWith("```")).at(-1) ?? "";
  return `mock reply: ${words.slice(0, 200)}`;
}

function readBody(request) {
  return new Promise((resolve) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => resolve(body));
  });
}

const server = http.createServer(async (request, response) => {
  const url = request.url ?? "";
  if (request.method === "GET" && url.startsWith("/v1/models")) {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ object: "list", data: [{ id: "mock-1", object: "model", owned_by: "mission-control" }] }));
    return;
  }
  if (request.method !== "POST" || !url.startsWith("/v1/chat/completions")) {
    response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    return;
  }
  let body = {};
  try {
    body = JSON.parse(await readBody(request));
  } catch {
    response.writeHead(400, { "content-type": "text/plain" }).end("bad json");
    return;
  }
  if (process.env.MOCK_MODEL_LOG) appendFileSync(process.env.MOCK_MODEL_LOG, `${JSON.stringify(body)}\n`);
  const text = replyFor(body.messages);
  const id = `chatcmpl-mc-${Date.now()}`;
  const created = Math.floor(Date.now() / 1000);
  const model = body.model ?? "mock-1";

  if (!body.stream) {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({
      id, object: "chat.completion", created, model, usage: USAGE,
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: text } }],
    }));
    return;
  }
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const chunk = (choices, extra = {}) =>
    response.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...extra })}\n\n`);
  chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
  for (let i = 0; i < text.length; i += 16) {
    chunk([{ index: 0, delta: { content: text.slice(i, i + 16) }, finish_reason: null }]);
  }
  chunk([{ index: 0, delta: {}, finish_reason: "stop" }]);
  chunk([], { usage: USAGE });
  response.end("data: [DONE]\n\n");
});

server.listen(port, "127.0.0.1", () => console.log(`mock model listening on http://127.0.0.1:${port}/v1`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
