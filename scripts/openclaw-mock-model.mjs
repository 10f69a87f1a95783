#!/usr/bin/env node
// A stand-in for a model provider, so a gateway started by scripts/openclaw-gateway.sh can run
// agent turns with no network: an OpenAI-compatible chat-completions endpoint on loopback that
// answers "mock reply: <the user's last words>" and reports fixed, non-zero token usage (so cost
// figures are non-zero too). MOCK_MODEL_PORT picks the port (default 18799); MOCK_MODEL_LOG, a file
// path, appends every request body to it (one JSON per line).
//
// Tool calls: when the operator's latest message contains `TOOL:<name> ARGS:<json>` and <name> is
// one of the request's `tools`, the first answer is an assistant tool call for <name> with those
// arguments (finish_reason "tool_calls"); once the conversation holds a tool result after that
// message, the answer is "mock done: <name>". openclaw 2026.9.6 offers, with the harness's config:
// apply_patch, edit, exec, ls, openclaw, process, read, sessions_yield, tool_call, tool_describe,
// tool_search, write; `ls` and `exec` (checked) run without any approval (the contract tests use `ls`).
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
const isOwn = (message) => message?.role === "user" && !textOf(message.content).includes("OPENCLAW_INTERNAL_CONTEXT");

function replyFor(messages = []) {
  const own = messages.filter(isOwn).map((m) => textOf(m.content));
  const paragraphs = (own.at(-1) ?? "").split(/\n\s*\n/).map((p) => p.trim());
  const words = paragraphs.filter((p) => p !== "" && !p.startsWith("Runtime:") && !p.startsWith("```")).at(-1) ?? "";
  return `mock reply: ${words.slice(0, 200)}`;
}

/** `TOOL:<name> ARGS:<json>` in a text: the longest prefix after ARGS: (on its line) that parses as a JSON object. */
function toolInstruction(text) {
  const match = /TOOL:([A-Za-z0-9_.-]+)\s+ARGS:([^\n]*)/.exec(text);
  if (!match) return null;
  const rest = match[2].trim();
  for (let end = rest.lastIndexOf("}"); end !== -1; end = rest.lastIndexOf("}", end - 1)) {
    try {
      const args = JSON.parse(rest.slice(0, end + 1));
      if (args && typeof args === "object" && !Array.isArray(args)) return { name: match[1], args };
    } catch {
      // a shorter prefix may parse
    }
  }
  return null;
}

const toolNames = (tools = []) =>
  new Set((Array.isArray(tools) ? tools : []).map((tool) => tool?.function?.name ?? tool?.name).filter((name) => typeof name === "string"));

/**
 * What to answer: { toolCall: { name, args } } to call a tool, or { text }. The operator's latest
 * message decides; a tool result after it (role "tool") means the call has been made.
 */
function answerFor(body) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  let last = -1;
  messages.forEach((message, index) => {
    if (isOwn(message)) last = index;
  });
  const instruction = last === -1 ? null : toolInstruction(textOf(messages[last].content));
  if (instruction && toolNames(body.tools).has(instruction.name)) {
    const results = messages.slice(last + 1).filter((m) => m?.role === "tool");
    if (results.length === 0) return { toolCall: instruction };
    return { text: `mock done: ${instruction.name}` };
  }
  return { text: replyFor(messages) };
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
  const answer = answerFor(body);
  const text = answer.text ?? "";
  const call = answer.toolCall
    ? { id: `call_mock_${Date.now()}`, type: "function", function: { name: answer.toolCall.name, arguments: JSON.stringify(answer.toolCall.args) } }
    : null;
  const finishReason = call ? "tool_calls" : "stop";
  const id = `chatcmpl-mc-${Date.now()}`;
  const created = Math.floor(Date.now() / 1000);
  const model = body.model ?? "mock-1";

  if (!body.stream) {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({
      id, object: "chat.completion", created, model, usage: USAGE,
      choices: [{
        index: 0,
        finish_reason: finishReason,
        message: call ? { role: "assistant", content: null, tool_calls: [call] } : { role: "assistant", content: text },
      }],
    }));
    return;
  }
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const chunk = (choices, extra = {}) =>
    response.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...extra })}\n\n`);
  if (call) {
    // the call's id and name first, then its arguments in pieces, as OpenAI streams them
    const head = { index: 0, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } };
    chunk([{ index: 0, delta: { role: "assistant", content: null, tool_calls: [head] }, finish_reason: null }]);
    const args = call.function.arguments;
    for (let i = 0; i < args.length; i += 16) {
      chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + 16) } }] }, finish_reason: null }]);
    }
  } else {
    chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
    for (let i = 0; i < text.length; i += 16) {
      chunk([{ index: 0, delta: { content: text.slice(i, i + 16) }, finish_reason: null }]);
    }
  }
  chunk([{ index: 0, delta: {}, finish_reason: finishReason }]);
  chunk([], { usage: USAGE });
  response.end("data: [DONE]\n\n");
});

server.listen(port, "127.0.0.1", () => console.log(`mock model listening on http://127.0.0.1:${port}/v1`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
