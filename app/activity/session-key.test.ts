import { describe, expect, it } from "vitest";
import { agentIdFromSessionKey, isSubagentSessionKey } from "./session-key";

describe("session keys", () => {
  it("reads the agent from agent:<id>:…", () => {
    expect(agentIdFromSessionKey("agent:main:main")).toBe("main");
    expect(agentIdFromSessionKey("agent:ops-bot:subagent:1f2e")).toBe("ops-bot");
  });

  it("answers undefined for keys of another shape or other types", () => {
    expect(agentIdFromSessionKey("agent::main")).toBeUndefined();
    expect(agentIdFromSessionKey("agent:main")).toBeUndefined();
    expect(agentIdFromSessionKey("global")).toBeUndefined();
    expect(agentIdFromSessionKey(42)).toBeUndefined();
    expect(agentIdFromSessionKey(undefined)).toBeUndefined();
  });

  it("knows a sub-agent's key", () => {
    expect(isSubagentSessionKey("agent:main:subagent:abc")).toBe(true);
    expect(isSubagentSessionKey("agent:main:main")).toBe(false);
    expect(isSubagentSessionKey(undefined)).toBe(false);
  });
});
