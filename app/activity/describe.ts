import type { ActivityEvent } from "./normalize";

const clip = (text: string | undefined, max = 140) => (text && text.length > max ? text.slice(0, max - 1) + "…" : (text ?? ""));

/**
 * The activity line a person reads: "main → exec: npm test", "main finished a run". Stored with each
 * recorded event and written again for the gateway's own history, so both read alike.
 */
export function describeActivity(event: ActivityEvent, agentName: string): string {
  switch (event.kind) {
    case "run_start":
      return `${agentName} started working`;
    case "run_end":
      return event.isError ? `${agentName}'s run failed${event.text ? `: ${clip(event.text)}` : ""}` : `${agentName} finished a run`;
    case "tool_start":
      return `${agentName} → ${event.tool ?? "tool"}${event.summary ? `: ${clip(event.summary)}` : ""}`;
    case "tool_end":
      return `${agentName} ${event.isError ? "failed" : "finished"} ${event.tool ?? "a tool"}`;
    case "message":
      return `${agentName}: ${clip(event.text)}`;
    case "user_message":
      return `To ${agentName}: ${clip(event.text)}`;
    case "thinking":
      return `${agentName} is thinking`;
    case "spawn":
      return `${agentName} spawned a sub-agent${event.child?.label || event.child?.task ? `: ${clip(event.child.label ?? event.child.task)}` : ""}`;
    case "despawn":
      return `${event.isError ? "Sub-agent stopped" : "Sub-agent finished"}${event.child?.label ? `: ${clip(event.child.label)}` : ""} (${agentName})`;
    case "error":
      return `${agentName} hit an error${event.text ? `: ${clip(event.text)}` : ""}`;
    default:
      return `${agentName}: ${event.kind}`;
  }
}
