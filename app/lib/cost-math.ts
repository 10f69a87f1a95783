import type { BudgetStatus, CostProjection, UsageSums } from "./costs";

/*
 * The arithmetic of the costs overview (ADR 027), pure and client-safe: days of an IANA zone,
 * calendar steps over YYYY-MM-DD days, the month's projection and the day a budget runs out, and
 * token/cost sums. A day is a calendar date, never "24 hours from": a DST change makes a day of
 * 23 or 25 hours in the zone, and stepping by calendar days never loses or doubles one.
 */

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

const dayFormats = new Map<string, Intl.DateTimeFormat>();
const partFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormats.set(timeZone, format);
  }
  return format;
}

/** True for an IANA zone name this runtime knows ("Europe/Berlin", "UTC"). */
export function isTimeZone(value: string): boolean {
  if (!value) return false;
  try {
    dayFormat(value);
    return true;
  } catch {
    return false;
  }
}

/** The calendar day (YYYY-MM-DD) the instant `ms` falls on in `timeZone`. */
export function dayInZone(ms: number, timeZone: string): string {
  const parts = dayFormat(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** The zone's offset from UTC at the instant `ms`, in ms (Berlin in winter: +3 600 000). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  let format = partFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    partFormats.set(timeZone, format);
  }
  const value: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(ms))) if (part.type !== "literal") value[part.type] = Number(part.value);
  const wall = Date.UTC(value.year!, value.month! - 1, value.day!, value.hour!, value.minute!, value.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The first instant of `day` in `timeZone` (its midnight, or the first minute after a skipped one). */
export function zoneDayStart(day: string, timeZone: string): number {
  const midnight = dayToUtcMs(day);
  let guess = midnight - zoneOffsetMs(midnight, timeZone);
  guess = midnight - zoneOffsetMs(guess, timeZone);
  // A zone that skips midnight (the clock jumps 00:00 → 01:00) starts the day later than the guess.
  while (dayInZone(guess, timeZone) < day) guess += 60_000 * 15;
  while (dayInZone(guess - 60_000 * 15, timeZone) === day) guess -= 60_000 * 15;
  return guess;
}

/** How long `day` lasts in `timeZone`, in hours (23 or 25 on a DST change). */
export function dayLengthHours(day: string, timeZone: string): number {
  return (zoneDayStart(addDays(day, 1), timeZone) - zoneDayStart(day, timeZone)) / 3_600_000;
}

/** True for a real calendar date in YYYY-MM-DD (2026-02-30 is not). */
export function isDay(value: string): boolean {
  const match = DAY_PATTERN.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && y >= 1;
}

function dayToUtcMs(day: string): number {
  const match = DAY_PATTERN.exec(day);
  if (!match) throw new RangeError(`"${day}" is not a YYYY-MM-DD day.`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

function utcMsToDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `day` moved by `days` calendar days (negative: back). */
export function addDays(day: string, days: number): string {
  return utcMsToDay(dayToUtcMs(day) + days * MS_PER_DAY);
}

/** How many days from `from` to `to` (0 for the same day; negative when `to` is earlier). */
export function daysFrom(from: string, to: string): number {
  return Math.round((dayToUtcMs(to) - dayToUtcMs(from)) / MS_PER_DAY);
}

export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

export function daysInMonth(day: string): number {
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function monthEnd(day: string): string {
  return `${day.slice(0, 7)}-${String(daysInMonth(day)).padStart(2, "0")}`;
}

/** Every day from `from` to `to`, both included, oldest first (empty when `to` is before `from`). */
export function dayRange(from: string, to: string): string[] {
  const count = daysFrom(from, to) + 1;
  const days: string[] = [];
  for (let index = 0; index < count; index++) days.push(addDays(from, index));
  return days;
}

/* ---- sums ---- */

export function emptySums(): UsageSums {
  return { cost: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, totalTokens: 0, calls: 0, missingCostEntries: 0 };
}

/**
 * A row's total tokens: what the gateway said, or (when it said 0 or nothing) input + output + cache
 * read + cache write, since cached tokens are tokens the model read or wrote too.
 */
export function totalTokensOf(sums: Pick<UsageSums, "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheWriteTokens"> & { totalTokens?: number | null }): number {
  const parts = sums.inputTokens + sums.outputTokens + sums.cacheReadTokens + sums.cacheWriteTokens;
  return sums.totalTokens && sums.totalTokens > 0 ? sums.totalTokens : parts;
}

/** The sums of `rows`, each field added (total tokens per row as totalTokensOf says). */
export function sumUsage(rows: Iterable<UsageSums>): UsageSums {
  const total = emptySums();
  for (const row of rows) {
    total.cost += row.cost;
    total.inputTokens += row.inputTokens;
    total.outputTokens += row.outputTokens;
    total.cacheReadTokens += row.cacheReadTokens;
    total.cacheWriteTokens += row.cacheWriteTokens;
    total.totalTokens += totalTokensOf(row);
    total.calls += row.calls;
    total.missingCostEntries += row.missingCostEntries;
  }
  return total;
}

/**
 * How a cost is stated: a known amount, an amount that leaves some calls out (`partial`), or not known
 * at all when every call lacked a price. Never "$0.00" for calls nobody priced.
 */
export function describeCost(sums: Pick<UsageSums, "cost" | "calls" | "missingCostEntries">): {
  kind: "known" | "partial" | "unknown";
  amount: number | null;
  missing: number;
  text: string;
} {
  const missing = sums.missingCostEntries;
  const unpriced = `${missing} ${missing === 1 ? "call" : "calls"} without a price`;
  if (missing > 0 && sums.cost === 0 && (sums.calls === 0 || missing >= sums.calls)) {
    return { kind: "unknown", amount: null, missing, text: `Cost unknown: ${unpriced}` };
  }
  if (missing > 0) return { kind: "partial", amount: sums.cost, missing, text: `${formatUsd(sums.cost)} + ${unpriced}` };
  return { kind: "known", amount: sums.cost, missing: 0, text: formatUsd(sums.cost) };
}

/** USD with cents, and more digits under a cent so a small spend is not "$0.00". */
export function formatUsd(amount: number): string {
  const digits = amount !== 0 && Math.abs(amount) < 0.01 ? 4 : 2;
  return new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
}

/* ---- projection and budgets ---- */

export const PROJECTION_DAYS = 7;

export interface ProjectionInput {
  /** today in the organization's zone */
  today: string;
  /** the month's spend so far, today included */
  monthSoFar: number;
  /** today's spend so far */
  todaySoFar: number;
  /** the cost of each day before today that has one (others count as 0 once history began) */
  pastDays: Array<{ day: string; cost: number }>;
  /** the first day with any usage (null: none); days before it are not history */
  firstDay: string | null;
}

export interface Projection {
  projectedMonth: number;
  projection: CostProjection;
}

/**
 * ADR 027: the month so far + the average daily cost of the 7 days before today × the days left,
 * today counted at the larger of its spend so far and that rate. With fewer than 7 days of history
 * before today the rate is taken over the days there are; with none, the rate is 0 and the month so
 * far is the projection.
 */
export function projectMonth({ today, monthSoFar, todaySoFar, pastDays, firstDay }: ProjectionInput): Projection {
  const windowStart = addDays(today, -PROJECTION_DAYS);
  const historyStart = firstDay === null ? today : firstDay > windowStart ? firstDay : windowStart;
  const days = Math.max(0, Math.min(PROJECTION_DAYS, daysFrom(historyStart, today)));
  let windowCost = 0;
  for (const { day, cost } of pastDays) if (day >= historyStart && day < today) windowCost += cost;
  const dailyRate = days > 0 ? windowCost / days : 0;
  const daysAfterToday = daysFrom(today, monthEnd(today));
  const projectedMonth = monthSoFar - todaySoFar + Math.max(todaySoFar, dailyRate) + dailyRate * daysAfterToday;
  return { projectedMonth, projection: { method: "trailing-7-day-average", days, dailyRate, explanation: explain(days, dailyRate) } };
}

function explain(days: number, rate: number): string {
  const base = "The month so far plus, for each day left, the average daily cost";
  if (days === 0) return "There is no day before today with usage yet, so the projection is the month so far (today at its spend so far).";
  if (days < PROJECTION_DAYS) {
    return `${base} of the ${days === 1 ? "one day" : `${days} days`} before today (${formatUsd(rate)} a day): there ${days === 1 ? "is" : "are"} only ${days} ${days === 1 ? "day" : "days"} of history, not ${PROJECTION_DAYS}. Today counts at its spend so far or that average, whichever is larger.`;
  }
  return `${base} of the ${PROJECTION_DAYS} days before today (${formatUsd(rate)} a day). Today counts at its spend so far or that average, whichever is larger.`;
}

export interface BudgetInput {
  monthlyUsd: number;
  today: string;
  /** this month's days before today with their actual cost (missing days cost 0) */
  monthDays: Array<{ day: string; cost: number }>;
  todaySoFar: number;
  dailyRate: number;
  projectedMonth: number;
}

/**
 * Where a monthly budget stands. `runsOutOn` is the first day of this month the cumulative spend
 * passes the budget — actual days first, then today at max(spend so far, rate), then the rate — or
 * null when it does not within the month. `exceeded` when the actual spend already passed it.
 */
export function budgetStatus({ monthlyUsd, today, monthDays, todaySoFar, dailyRate, projectedMonth }: BudgetInput): BudgetStatus {
  const costs = new Map<string, number>();
  for (const { day, cost } of monthDays) if (day < today && day >= monthStart(today)) costs.set(day, (costs.get(day) ?? 0) + cost);
  let cumulative = 0;
  let runsOutOn: string | null = null;
  for (const day of dayRange(monthStart(today), monthEnd(today))) {
    if (day < today) cumulative += costs.get(day) ?? 0;
    else if (day === today) cumulative += Math.max(todaySoFar, dailyRate);
    else cumulative += dailyRate;
    if (cumulative > monthlyUsd) {
      runsOutOn = day;
      break;
    }
  }
  let spent = todaySoFar;
  for (const cost of costs.values()) spent += cost;
  return { monthlyUsd, spent, projected: projectedMonth, runsOutOn, exceeded: spent > monthlyUsd };
}
