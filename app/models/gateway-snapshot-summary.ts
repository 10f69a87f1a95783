/*
 * What a gateway's snapshots say, read as what they are ("Health", "Usage", "Crons"), not as the
 * RPC methods that fetched them. Pure: the gateway page's loader hands in the stored answers.
 */

export type SnapshotCardKind = "health" | "usage" | "crons" | "sessions" | "models";

export interface SnapshotFact {
  label: string;
  value: string;
  tone?: "ok" | "warn" | "danger";
}

export interface SnapshotCard {
  kind: SnapshotCardKind;
  title: string;
  /** when the poll last answered this (epoch ms); null: never */
  takenAt: number | null;
  /** one line in words */
  summary: string;
  tone: "ok" | "warn" | "danger" | "muted";
  facts: SnapshotFact[];
  /** the number the card is about, where there is one (sessions) */
  count?: number;
}

type Row = { kind: string; takenAt: Date; data?: unknown };
type Day = { day: string; totalTokens: number; totalCost: number };

const obj = (value: unknown): Record<string, unknown> => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
const money = (usd: number) => `$${usd.toFixed(usd > 0 && usd < 1 ? 4 : 2)}`;

function at(rows: Map<string, Row>, kind: string) {
  return rows.get(kind)?.takenAt.getTime() ?? null;
}

function health(rows: Map<string, Row>): SnapshotCard {
  const row = rows.get("health");
  const card = { kind: "health" as const, title: "Health", takenAt: at(rows, "health") };
  if (!row) return { ...card, summary: "Not checked yet.", tone: "muted", facts: [] };
  const data = obj(row.data);
  const pluginErrors = arr(obj(data.plugins).errors).length;
  const loaded = arr(obj(data.plugins).loaded).length;
  const ok = data.ok === true;
  const facts: SnapshotFact[] = [];
  const took = num(data.durationMs);
  if (took !== null) facts.push({ label: "Check took", value: `${Math.round(took)} ms` });
  facts.push({ label: "Plugins", value: pluginErrors ? `${loaded} loaded, ${pluginErrors} failing` : `${loaded} loaded`, ...(pluginErrors ? { tone: "warn" as const } : {}) });
  const sessions = num(obj(data.sessions).count);
  if (sessions !== null) facts.push({ label: "Sessions stored", value: sessions.toLocaleString("en") });
  return { ...card, summary: ok ? (pluginErrors ? "Healthy, with plugin errors." : "Healthy.") : "The gateway reports a problem.", tone: ok ? (pluginErrors ? "warn" : "ok") : "danger", facts };
}

function usage(rows: Map<string, Row>, days: Day[]): SnapshotCard {
  const card = { kind: "usage" as const, title: "Usage", takenAt: at(rows, "usage.cost") };
  if (days.length === 0 && !rows.has("usage.cost")) return { ...card, summary: "Not polled yet.", tone: "muted", facts: [] };
  const tokens = days.reduce((sum, day) => sum + day.totalTokens, 0);
  const cost = days.reduce((sum, day) => sum + day.totalCost, 0);
  const today = days.at(-1);
  const facts: SnapshotFact[] = [
    { label: `Tokens, ${plural(days.length, "day")}`, value: Math.round(tokens).toLocaleString("en") },
    { label: `Cost, ${plural(days.length, "day")}`, value: money(cost) },
  ];
  if (today) facts.push({ label: `Latest day (${today.day})`, value: money(today.totalCost) });
  return { ...card, summary: days.length ? `${money(cost)} over the last ${plural(days.length, "day")} with usage.` : "No usage recorded yet.", tone: "muted", facts };
}

function crons(rows: Map<string, Row>, now: number): SnapshotCard {
  const row = rows.get("cron");
  const card = { kind: "crons" as const, title: "Crons", takenAt: at(rows, "cron") };
  if (!row) return { ...card, summary: "Not polled yet.", tone: "muted", facts: [] };
  const jobs = arr(obj(row.data).jobs).map(obj);
  const enabled = jobs.filter((job) => job.enabled !== false);
  const failing = jobs.filter((job) => {
    const status = obj(job.state).lastRunStatus ?? obj(job.state).lastStatus;
    return typeof status === "string" && status !== "ok";
  });
  const next = enabled.map((job) => num(obj(job.state).nextRunAtMs) ?? num(job.nextRunAtMs)).filter((ms): ms is number => ms !== null && ms >= now).sort((a, b) => a - b)[0];
  const facts: SnapshotFact[] = [
    { label: "Jobs", value: `${jobs.length} (${enabled.length} enabled)` },
    { label: "Failing", value: failing.length ? plural(failing.length, "job") : "none", ...(failing.length ? { tone: "danger" as const } : {}) },
  ];
  if (next !== undefined) facts.push({ label: "Next run", value: `in ${formatIn(next - now)}` });
  const summary = jobs.length === 0 ? "No cron jobs." : failing.length ? `${plural(failing.length, "job")} failed on the last run.` : `${plural(enabled.length, "job")} scheduled, all fine.`;
  return { ...card, summary, tone: jobs.length === 0 ? "muted" : failing.length ? "danger" : "ok", facts };
}

function sessions(rows: Map<string, Row>): SnapshotCard {
  const row = rows.get("sessions");
  const card = { kind: "sessions" as const, title: "Sessions", takenAt: at(rows, "sessions") };
  if (!row) return { ...card, summary: "Not polled yet.", tone: "muted", facts: [] };
  const data = obj(row.data);
  const count = num(data.totalCount) ?? num(data.count) ?? 0;
  const totals = obj(obj(rows.get("sessions.usage")?.data).totals);
  const facts: SnapshotFact[] = [{ label: "Known to the gateway", value: count.toLocaleString("en") }];
  const tokens = num(totals.totalTokens);
  if (tokens !== null) facts.push({ label: "Tokens (session usage)", value: Math.round(tokens).toLocaleString("en") });
  return { ...card, summary: `${plural(count, "session")} on the gateway.`, tone: "muted", facts, count };
}

function models(rows: Map<string, Row>): SnapshotCard {
  const row = rows.get("models");
  const card = { kind: "models" as const, title: "Models", takenAt: at(rows, "models") };
  if (!row) return { ...card, summary: "Not polled yet.", tone: "muted", facts: [] };
  const list = arr(obj(row.data).models).map(obj);
  const providers = new Set(list.map((model) => model.provider).filter((p): p is string => typeof p === "string"));
  return {
    ...card,
    summary: `${plural(list.length, "model")} available${providers.size ? ` from ${plural(providers.size, "provider")}` : ""}.`,
    tone: "muted",
    facts: providers.size ? [{ label: "Providers", value: Array.from(providers).sort().slice(0, 6).join(", ") }] : [],
  };
}

/** "3 min", "2 h", "5 days" for a future interval. */
export function formatIn(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} days`;
}

/** The page's snapshot cards, always in the same order, each saying what it knows in words. */
export function summarizeSnapshots({ rows, days, now }: { rows: Row[]; days: Day[]; now: number }): SnapshotCard[] {
  const byKind = new Map(rows.map((row) => [row.kind, row]));
  return [health(byKind), usage(byKind, days), crons(byKind, now), sessions(byKind), models(byKind)];
}
