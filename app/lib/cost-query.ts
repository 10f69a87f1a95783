import { addDays, dayInZone, daysFrom, isDay } from "./cost-math";
import { COST_RANGES, type CostRange } from "./costs";
import { isUuid } from "./uuid";

/*
 * What the costs page and GET /api/monitoring/costs are asked for: a range of the organization's
 * days and an optional gateway and agent. Client-safe, so the page's filter can say the same
 * sentences the server does.
 */

/** About ten years of days: the longest range asked at once (the daily series has one entry a day). */
export const MAX_RANGE_DAYS = 3660;
export const DEFAULT_RANGE_DAYS = 30;

export interface CostQuery {
  range: CostRange;
  /** the first day; null for `range=all`: from the first day with usage */
  from: string | null;
  to: string;
  gatewayId: string | null;
  /** Mission Control's agent id */
  agentId: string | null;
}

export type CostQueryResult = { ok: true; query: CostQuery } | { ok: false; problems: Partial<Record<"range" | "from" | "to" | "gatewayId" | "agentId", string>>; message: string };

/**
 * Reads `range` (7d, 30d, all, custom), `from`, `to` (YYYY-MM-DD days of `timeZone`), `gatewayId`
 * and `agentId`. Empty values count as absent. From/to make the range custom; without either, the
 * last 30 days up to today. One sentence per problem.
 */
export function parseCostQuery(params: URLSearchParams, { timeZone, now = Date.now() }: { timeZone: string; now?: number }): CostQueryResult {
  const get = (name: string) => {
    const value = params.get(name)?.trim();
    return value ? value : null;
  };
  const today = dayInZone(now, timeZone);
  const problems: Extract<CostQueryResult, { ok: false }>["problems"] = {};

  const rawRange = get("range");
  const rawFrom = get("from");
  const rawTo = get("to");
  let range: CostRange = rawFrom || rawTo ? "custom" : "30d";
  if (rawRange !== null) {
    if ((COST_RANGES as readonly string[]).includes(rawRange)) range = rawRange as CostRange;
    else problems.range = `range must be one of ${COST_RANGES.join(", ")}; "${clip(rawRange)}" is none of them.`;
  }

  const day = (name: "from" | "to", value: string | null): string | null => {
    if (value === null) return null;
    if (isDay(value)) return value;
    problems[name] = /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? `${name} "${value}" is not a date of the calendar.`
      : `${name} must be a day as YYYY-MM-DD (e.g. ${today}); "${clip(value)}" is not.`;
    return null;
  };
  const fromDay = day("from", rawFrom);
  const toDay = day("to", rawTo);

  let from: string | null;
  let to: string;
  if (range === "7d" || range === "30d") {
    to = toDay ?? today;
    from = addDays(to, -(range === "7d" ? 6 : 29));
  } else if (range === "all") {
    to = toDay ?? today;
    from = fromDay;
  } else {
    to = toDay ?? today;
    from = fromDay ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  }
  if (!problems.from && !problems.to && from !== null) {
    if (from > to) problems.from = `from (${from}) is after to (${to}); the range must start on or before its end.`;
    else if (daysFrom(from, to) + 1 > MAX_RANGE_DAYS) {
      problems.from = `The range from ${from} to ${to} is ${daysFrom(from, to) + 1} days; ask for at most ${MAX_RANGE_DAYS} days (about ten years) at once.`;
    }
  }

  const id = (name: "gatewayId" | "agentId", what: string): string | null => {
    const value = get(name);
    if (value === null) return null;
    if (isUuid(value)) return value.toLowerCase();
    problems[name] = `${name} must be ${what} id (a UUID); "${clip(value)}" is not one.`;
    return null;
  };
  const gatewayId = id("gatewayId", "a gateway's");
  const agentId = id("agentId", "an agent's");

  const sentences = Object.values(problems);
  if (sentences.length > 0) return { ok: false, problems, message: sentences.join(" ") };
  return { ok: true, query: { range, from, to, gatewayId, agentId } };
}

function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
