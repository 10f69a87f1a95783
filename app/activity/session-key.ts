/*
 * OpenClaw session keys: `agent:<agentId>:<rest>` (main, dm:…, group:…, cron:…, subagent:…).
 * The key's shape is a fallback; a session row's own fields win where they say (session-row.ts).
 */

/** agent:<agentId>:… — the agent a session (and so an event) belongs to. */
export function agentIdFromSessionKey(sessionKey: unknown): string | undefined {
  if (typeof sessionKey !== "string" || !sessionKey.startsWith("agent:")) return undefined;
  const end = sessionKey.indexOf(":", 6);
  return end > 6 ? sessionKey.slice(6, end) : undefined;
}

export function isSubagentSessionKey(sessionKey: string | undefined): boolean {
  return sessionKey?.includes("subagent:") ?? false;
}
