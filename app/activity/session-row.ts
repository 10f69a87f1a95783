/*
 * What a session is, from the row the gateway (sessions.list, sessions.changed) or a legacy
 * sessions.json gives. The row's own fields decide; the key's shape is only the fallback for rows
 * that do not say.
 */
import { num, str, type JsonObject } from "./json";

export const SESSION_TYPES = ["main", "dm", "group", "cron", "subagent", "other"] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

type Row = JsonObject;

export function sessionTypeOf(row: Row, key = str(row.key) ?? ""): SessionType {
  if (str(row.spawnedBy) || str(row.parentSessionKey)) return "subagent";
  const classification = str(row.classification);
  if (classification === "cron" || row.createdVia === "cron") return "cron";
  if (row.isMain === true) return "main";
  const chat = str(row.chatType) ?? str(row.kind) ?? classification;
  if (chat === "group" || chat === "channel") return "group";
  if (chat === "direct" || chat === "dm") return "dm";
  // The row says nothing: fall back to the key's shape.
  if (/:subagent:/.test(key)) return "subagent";
  if (/:cron:/.test(key)) return "cron";
  if (/^agent:[^:]+:main$/.test(key)) return "main";
  return "other";
}

export interface SessionFacts {
  sessionKey: string;
  sessionId: string | null;
  externalAgentId: string;
  type: SessionType;
  label: string | null;
  model: string | null;
  parentSessionKey: string | null;
  contextTokens: number | null;
  totalTokens: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  status: string | null;
  lastActivityAt: number | null;
  endedAt: number | null;
}

/** The fields we keep from a gateway session row (2026.9: sessions.list; 2026.7: sessions.json). */
export function sessionFacts(row: Row, defaults: { contextTokens?: number } = {}, keyOverride?: string): SessionFacts | null {
  const sessionKey = keyOverride ?? str(row.key);
  if (!sessionKey) return null;
  const externalAgentId = str(row.agentId) ?? /^agent:([^:]+):/.exec(sessionKey)?.[1];
  if (!externalAgentId) return null;
  const provider = str(row.modelProvider);
  const model = str(row.model);
  return {
    sessionKey,
    sessionId: str(row.sessionId) ?? null,
    externalAgentId,
    type: sessionTypeOf(row, sessionKey),
    label: str(row.label) ?? str(row.displayName) ?? null,
    model: model ? (provider && !model.includes("/") ? `${provider}/${model}` : model) : null,
    parentSessionKey: str(row.spawnedBy) ?? str(row.parentSessionKey) ?? null,
    contextTokens: num(row.contextTokens) ?? defaults.contextTokens ?? null,
    totalTokens: num(row.totalTokens) ?? null,
    inputTokens: num(row.inputTokens) ?? null,
    outputTokens: num(row.outputTokens) ?? null,
    costUsd: num(row.estimatedCostUsd) ?? null,
    status: str(row.status) ?? null,
    lastActivityAt: num(row.lastInteractionAt) ?? num(row.updatedAt) ?? null,
    endedAt: subagentEndedAt(row, sessionKey),
  };
}

/** openclaw's terminal session states (2026.9: isTerminalSessionStatus). */
const ENDED_STATUSES = new Set(["done", "failed", "interrupted", "killed", "timeout"]);

/**
 * When a sub-agent's session ended, as its row says: a terminal status (or archived) with its end
 * time. A sub-agent that runs again (a persistent child, mode "session") says "running" with no end,
 * and is open again. Other sessions are never "ended" here: they stay until the gateway drops them.
 */
function subagentEndedAt(row: Row, sessionKey: string): number | null {
  if (sessionTypeOf(row, sessionKey) !== "subagent") return null;
  const status = str(row.status);
  const ended = row.archived === true || (status !== undefined && ENDED_STATUSES.has(status));
  return ended ? (num(row.endedAt) ?? num(row.updatedAt) ?? null) : null;
}

/** Context use in percent (0-100), or null when the window is unknown. */
export function contextPercent(totalTokens: number | null, contextTokens: number | null): number | null {
  if (!totalTokens || !contextTokens) return null;
  return Math.min(100, Math.round((totalTokens / contextTokens) * 1000) / 10);
}
