import { describe, expect, it } from "vitest";
import { describeActivity } from "./describe";
import type { ActivityEvent } from "./normalize";

const base = { source: "gateway" as const, agentId: "main", sessionKey: "agent:main:main", at: 0 };
const line = (event: Partial<ActivityEvent> & Pick<ActivityEvent, "kind">) => describeActivity({ ...base, ...event }, "Ada");

describe("describeActivity", () => {
  it("says what the agent did in a line a person reads", () => {
    expect(line({ kind: "run_start" })).toBe("Ada started working");
    expect(line({ kind: "run_end" })).toBe("Ada finished a run");
    expect(line({ kind: "run_end", isError: true, text: "rate limited" })).toBe("Ada's run failed: rate limited");
    expect(line({ kind: "tool_start", tool: "exec", summary: "exec: npm test" })).toBe("Ada → exec: exec: npm test");
    expect(line({ kind: "tool_end", tool: "exec", isError: true })).toBe("Ada failed exec");
    expect(line({ kind: "user_message", text: "hi" })).toBe("To Ada: hi");
    expect(line({ kind: "spawn", child: { task: "find docs" } })).toBe("Ada spawned a sub-agent: find docs");
    expect(line({ kind: "despawn", child: { label: "lister" } })).toBe("Sub-agent finished: lister (Ada)");
    expect(line({ kind: "despawn", isError: true })).toBe("Sub-agent stopped (Ada)");
  });

  it("clips long text to 140 characters with an ellipsis", () => {
    const said = line({ kind: "message", text: "x".repeat(500) });
    expect(said).toBe(`Ada: ${"x".repeat(139)}…`);
  });
});
