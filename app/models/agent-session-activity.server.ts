import { describeActivity } from "~/activity/describe";
import { topic } from "~/lib/topics";
import type { ActivityEvent } from "~/activity/normalize";
import type { Queryable } from "~/db/rows";
import { recordActivity } from "./activity.server";
import { findGatewayAgentRef } from "./agent.queries.server";
import { addSessionUsage, isSessionEnded, upsertActivity, upsertChildSession, type UsageSum } from "./agent-session.queries.server";
import { addTranscriptCalls, type TranscriptCall } from "./usage-store.server";

/*
 * What agent activity does to its session: each normalized event becomes an activity row with the
 * record's own time (and so `event.new` on the stream), and its session learns its current tool,
 * last message and last activity; a transcript's model calls add up to the session's usage.
 */

/** The live topic of one session row: its page follows it instead of every session of the org. */
export const sessionTopic = topic.agentSession;

/** A sub-agent's key says it is one; every other session an event creates is "other" until a row says more. */
export const sessionTypeOfKey = (sessionKey: string) => (/:subagent:/.test(sessionKey) ? "subagent" : "other");

export type AgentRef = { id: string; name: string } | null;

/**
 * The agents a batch of records names, each looked up once per batch. (Not kept across batches: a
 * process-wide cache would have to be told when discovery adds or renames an agent, and one indexed
 * lookup per agent per batch costs less than getting that wrong.)
 */
export function agentLookup(q: Queryable, orgId: string, gatewayId: string | null) {
  const known = new Map<string, Promise<AgentRef>>();
  return (externalId: string): Promise<AgentRef> => {
    let found = known.get(externalId);
    if (!found) known.set(externalId, (found = findGatewayAgentRef(q, { orgId, gatewayId, externalId })));
    return found;
  };
}

/**
 * Records `events` in the caller's transaction. `closedHere`: the caller has just closed these
 * sessions itself (their ends), so a despawn is not skipped for a session that is already ended.
 */
export async function recordSessionEvents(
  q: Queryable,
  { orgId, gatewayId, events, closedHere = false, agentOf = agentLookup(q, orgId, gatewayId) }: {
    orgId: string;
    gatewayId: string | null;
    events: ActivityEvent[];
    closedHere?: boolean;
    agentOf?: (externalId: string) => Promise<AgentRef>;
  },
) {
  const spent = new Map<string, UsageSum & { agentId: string }>();
  // each call once (by its record), into the rollups (ADR 027); a gateway-less state folder has none
  const calls: TranscriptCall[] = [];
  for (const event of events) {
    if (event.usage && event.source === "transcript" && event.recordId && gatewayId) {
      const u = event.usage;
      const tokens = (u.input ?? 0) + (u.output ?? 0) + (u.cacheRead ?? 0) + (u.cacheWrite ?? 0);
      calls.push({
        recordId: event.recordId, sessionKey: event.sessionKey, agentId: event.agentId, model: event.model ?? "unknown", at: new Date(event.at).toISOString(),
        inputTokens: u.input ?? 0, outputTokens: u.output ?? 0, cacheReadTokens: u.cacheRead ?? 0, cacheWriteTokens: u.cacheWrite ?? 0, totalTokens: tokens,
        costUsd: u.cost ?? null,
      });
    }
    // A transcript holds every model call with its usage: their sum is the session's usage. (A
    // gateway's session usage comes whole from sessions.usage instead.)
    if (event.usage && event.source === "transcript") {
      const sum = spent.get(event.sessionKey) ?? { agentId: event.agentId, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
      sum.input += event.usage.input ?? 0;
      sum.output += event.usage.output ?? 0;
      sum.cacheRead += event.usage.cacheRead ?? 0;
      sum.cacheWrite += event.usage.cacheWrite ?? 0;
      sum.cost += event.usage.cost ?? 0;
      spent.set(event.sessionKey, sum);
    }
    // An assistant turn that only calls a tool arrives as a text-less message carrying its usage:
    // the tool events tell that story, a blank "main:" line would not.
    if (event.kind === "message" && !event.text?.trim()) continue;
    // The gateway says a sub-agent is done in every row it sends after its end: one despawn per end.
    if (event.kind === "despawn" && !closedHere && (await isSessionEnded(q, { orgId, gatewayId, sessionKey: event.sessionKey }))) continue;
    const agent = await agentOf(event.agentId);
    const at = new Date(event.at);
    const id = await upsertActivity(q, {
      orgId, gatewayId, sessionKey: event.sessionKey, sessionId: event.sessionId ?? null, agentId: agent?.id ?? null, externalAgentId: event.agentId,
      type: sessionTypeOfKey(event.sessionKey), kind: event.kind,
      tool: event.kind === "tool_start" ? (event.tool ?? null) : null,
      summary: event.kind === "tool_start" ? (event.summary ?? null) : null,
      message: event.kind === "message" ? (event.text ?? null) : null,
      at,
    });
    // The child's key is known only from the sessions_spawn result (its tool_end).
    if ((event.kind === "tool_end" || event.kind === "spawn") && event.child?.sessionKey) {
      await upsertChildSession(q, {
        orgId, gatewayId, sessionKey: event.child.sessionKey, externalAgentId: event.child.agentId ?? event.agentId,
        parentSessionKey: event.sessionKey, label: event.child.label ?? event.child.task ?? null, at,
      });
    }
    await recordActivity(q, {
      orgId,
      type: `agent.${event.kind}`,
      message: describeActivity(event, agent?.name ?? event.agentId),
      actor: { type: "agent", id: agent?.id ?? null, name: agent?.name ?? event.agentId },
      agentId: agent?.id ?? null,
      at,
      topics: [topic.sessions, topic.office, sessionTopic(id)],
      data: {
        sessionKey: event.sessionKey,
        ...(gatewayId ? { gatewayId } : {}),
        kind: event.kind,
        ...(event.tool ? { tool: event.tool } : {}),
        ...(event.toolCallId ? { toolCallId: event.toolCallId } : {}),
        ...(event.summary ? { summary: event.summary } : {}),
        ...(event.text ? { text: event.text } : {}),
        ...(event.child ? { child: event.child } : {}),
        ...(event.isError ? { isError: true } : {}),
        source: event.source,
      },
    });
  }
  if (gatewayId && calls.length) await addTranscriptCalls(q, { orgId, gatewayId, calls });
  for (const [sessionKey, { agentId, ...sum }] of spent) {
    await addSessionUsage(q, { orgId, gatewayId, sessionKey, externalAgentId: agentId, type: sessionTypeOfKey(sessionKey), sum });
  }
}
