/*
 * A restart of Mission Control reconnects every gateway: each one writes "connecting" then
 * "online" a few seconds later, and the feed filled with two lines per gateway that say nothing
 * happened to the gateways. Those rows stay in the table (the audit trail and the API keep every
 * state change); the feed collapses them when it is read (ADR 026):
 *
 * - a gateway's run of transient states ("connecting", "offline") that ends "online" within
 *   RECONNECT_WINDOW_MS of its first row is a blip, shown as "Gateway X reconnected";
 * - blips of several gateways that end close together (a restart) become one line,
 *   "3 gateways reconnected";
 * - anything longer, or a run that passes through a state a person must act on (token rejected,
 *   pairing required, protocol mismatch, a duplicate), stays line by line: an outage always shows.
 */

/** A gateway back online within this long of leaving it was reconnecting, not out. */
export const RECONNECT_WINDOW_MS = 2 * 60_000;

/** States a gateway passes through while it reconnects: nothing for a person to do. */
const TRANSIENT = new Set(["connecting", "offline"]);

export const GATEWAY_STATE_TYPE = "gateway_status_changed";

export interface CollapsibleRow {
  id: string;
  type: string;
  createdAt: Date;
  data: Record<string, unknown>;
}

export interface Reconnect {
  /** the newest row it stands for (its place in the feed) */
  id: string;
  at: Date;
  /** the gateways that reconnected, in the order they came back */
  gatewayIds: string[];
  /** every one was connecting for the first time (just added): "connected", not "reconnected" */
  first: boolean;
  /** how many rows it stands for */
  rows: number;
}

export type FeedItem<R> = { row: R } | { reconnect: Reconnect };

interface Blip {
  gatewayId: string;
  rowIds: string[];
  endId: string;
  end: Date;
  first: boolean;
}

const gatewayOf = (row: CollapsibleRow) => (typeof row.data.gatewayId === "string" ? row.data.gatewayId : null);
const stateOf = (row: CollapsibleRow) => (typeof row.data.state === "string" ? row.data.state : null);

/** `rows` newest first (as the feed reads them); the answer keeps that order. */
export function collapseReconnects<R extends CollapsibleRow>(rows: R[], windowMs = RECONNECT_WINDOW_MS): Array<FeedItem<R>> {
  const blips = findBlips(rows, windowMs);
  if (blips.length === 0) return rows.map((row) => ({ row }));

  // Blips that end within the window of the group's first end are one restart: one line.
  const groups: Blip[][] = [];
  for (const blip of [...blips].sort((a, b) => a.end.getTime() - b.end.getTime())) {
    const group = groups[groups.length - 1];
    if (group && blip.end.getTime() - group[0]!.end.getTime() <= windowMs) group.push(blip);
    else groups.push([blip]);
  }
  const hidden = new Set<string>();
  const lineAt = new Map<string, Reconnect>();
  for (const group of groups) {
    const last = group[group.length - 1]!;
    for (const blip of group) for (const id of blip.rowIds) hidden.add(id);
    lineAt.set(last.endId, {
      id: last.endId,
      at: last.end,
      gatewayIds: [...new Set(group.map((blip) => blip.gatewayId))],
      first: group.every((blip) => blip.first),
      rows: group.reduce((sum, blip) => sum + blip.rowIds.length, 0),
    });
  }
  const items: Array<FeedItem<R>> = [];
  for (const row of rows) {
    const line = lineAt.get(row.id);
    if (line) items.push({ reconnect: line });
    else if (!hidden.has(row.id)) items.push({ row });
  }
  return items;
}

/** Walks oldest to newest, following each gateway's state rows since it was last online. */
function findBlips(rows: CollapsibleRow[], windowMs: number): Blip[] {
  const pending = new Map<string, { rows: CollapsibleRow[]; first: boolean; broken: boolean }>();
  const created = new Set<string>();
  const blips: Blip[] = [];
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    const gatewayId = gatewayOf(row);
    if (!gatewayId) continue;
    if (row.type === "gateway_created") created.add(gatewayId);
    if (row.type !== GATEWAY_STATE_TYPE) continue;
    const state = stateOf(row);
    const run = pending.get(gatewayId) ?? { rows: [], first: created.has(gatewayId), broken: false };
    if (state === "online") {
      const start = run.rows[0];
      if (start && !run.broken && row.createdAt.getTime() - start.createdAt.getTime() <= windowMs) {
        blips.push({ gatewayId, rowIds: [...run.rows.map((r) => r.id), row.id], endId: row.id, end: row.createdAt, first: run.first });
      }
      pending.delete(gatewayId);
      created.delete(gatewayId);
      continue;
    }
    // a state a person must act on (or a duplicate, which carries no state) keeps the whole run
    if (!state || !TRANSIENT.has(state)) run.broken = true;
    run.rows.push(row);
    pending.set(gatewayId, run);
  }
  return blips;
}
