import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contextPercent, sessionFacts, sessionTypeOf } from "./session-row";

const samples = path.resolve(__dirname, "../../../shared/openclaw/samples");

describe("session rows", () => {
  it("derives the type from the recorded 2026.9.6 rows' own fields", () => {
    const payload = JSON.parse(readFileSync(path.join(samples, "rpc/sessions.list.json"), "utf8")).response.payload;
    const types = Object.fromEntries(payload.sessions.map((row: Record<string, unknown>) => [row.key, sessionTypeOf(row)]));
    expect(types["agent:main:mc-final"]).toBe("dm");
    expect(types["agent:main:cron:ea761305-50f5-4964-86b7-cfda3c45afce"]).toBe("cron");
    const facts = sessionFacts(payload.sessions[0], payload.defaults)!;
    expect(facts).toMatchObject({ sessionKey: "agent:main:mc-final", externalAgentId: "main", model: "mock/mock-1", contextTokens: 128000, totalTokens: 1234 });
    expect(contextPercent(facts.totalTokens, facts.contextTokens)).toBe(1);
  });

  it("lets the row win over the key, and falls back to the key when the row is silent", () => {
    expect(sessionTypeOf({ key: "agent:main:subagent:x", chatType: "direct", spawnedBy: "agent:main:main" })).toBe("subagent");
    expect(sessionTypeOf({ key: "agent:main:cron-like-name", chatType: "group" })).toBe("group");
    expect(sessionTypeOf({ key: "agent:main:main", isMain: true })).toBe("main");
    expect(sessionTypeOf({ key: "agent:main:subagent:abc" })).toBe("subagent");
    expect(sessionTypeOf({ key: "agent:main:main" })).toBe("main");
    expect(sessionTypeOf({ key: "agent:main:whatever" })).toBe("other");
  });

  it("reads the 2026.7.35 sessions.json rows", () => {
    const rows = JSON.parse(readFileSync(path.join(samples, "v2026.7.35/sessions.json"), "utf8")) as Record<string, Record<string, unknown>>;
    const [key, row] = Object.entries(rows)[0]!;
    const facts = sessionFacts(row, {}, key)!;
    expect(facts.sessionKey).toBe(key);
    expect(facts.sessionId).toBe(row.sessionId);
  });

  it("ignores rows without a key or agent", () => {
    expect(sessionFacts({})).toBeNull();
    expect(sessionFacts({ key: "nonsense" })).toBeNull();
  });
});
