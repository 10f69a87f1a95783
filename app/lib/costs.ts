/*
 * The shape of the costs overview (ADR 027): what the costs page, the home, the chat and
 * `GET /api/monitoring/costs` read. Money is a number in `currency`, never a string; days are
 * YYYY-MM-DD days of the organization's time zone. Client-safe: types and constants only.
 */

export const COST_CURRENCY = "USD" as const;

/** Token and cost sums over some set of model calls. */
export interface UsageSums {
  cost: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  totalTokens: number;
  calls: number;
  /** calls the gateway could not price (unknown model price): `cost` leaves them out */
  missingCostEntries: number;
}

export interface CostDay extends UsageSums {
  day: string;
}

export interface CostByModel extends UsageSums {
  /** "provider/model" as the gateway names it; "unknown" when the call named none */
  model: string;
  /** of the range's cost, 0..1 (0 when the range cost nothing) */
  share: number;
}

export interface CostByAgent extends UsageSums {
  /** Mission Control's agent id; null when the gateway's agent is not (or no longer) one of ours */
  agentId: string | null;
  /** the gateway's own agent id */
  externalId: string;
  gatewayId: string;
  name: string;
  share: number;
}

export interface CostBySession extends UsageSums {
  sessionKey: string;
  gatewayId: string;
  externalAgentId: string;
  /** Mission Control's session row, for a link to its page; null when it has none */
  sessionId: string | null;
  label: string | null;
}

export interface CostProjection {
  /** "trailing-7-day-average": month so far + the average daily cost of the 7 days before today × the days left */
  method: "trailing-7-day-average";
  /** how many days the rate was taken over (7, or fewer when there is less history) */
  days: number;
  dailyRate: number;
  /** a sentence for the tooltip, saying the method and when fewer than 7 days were there */
  explanation: string;
}

export interface BudgetStatus {
  monthlyUsd: number;
  spent: number;
  projected: number;
  /** the day of this month the budget runs out at the projected rate; null when it will not */
  runsOutOn: string | null;
  /** true when this month's spend already passed the budget */
  exceeded: boolean;
}

export interface AgentBudgetStatus extends BudgetStatus {
  agentId: string;
  name: string;
}

export interface GatewayFreshness {
  id: string;
  name: string;
  state: string;
  /** when the gateway stopped being online; null while it is online */
  offlineSince: string | null;
  /** when its usage was last stored */
  syncedAt: string | null;
  /** the first-connect backfill still under way: days done of total; null when done */
  backfill: { done: number; total: number } | null;
}

export interface CostOverview {
  currency: typeof COST_CURRENCY;
  timeZone: string;
  /** today's date in the organization's zone */
  todayDay: string;
  today: number;
  month: number;
  allTime: number;
  projectedMonth: number;
  projection: CostProjection;
  range: { from: string; to: string; cost: number; tokens: number };
  /** null when neither the organization nor an agent has a budget */
  budget: (BudgetStatus & { agents: AgentBudgetStatus[] }) | { monthlyUsd: null; agents: AgentBudgetStatus[] } | null;
  /** every day of the range, oldest first, zeros included */
  daily: CostDay[];
  /** the range's cost per day per model, for the stacked chart */
  dailyByModel: Array<{ day: string; model: string; cost: number }>;
  byModel: CostByModel[];
  byAgent: CostByAgent[];
  /** the most expensive sessions of the range (at most 25) */
  bySession: CostBySession[];
  /** the range's calls without a price: the page says so instead of showing $0 as fact */
  missingCostEntries: number;
  freshness: CostFreshness;
  /** the first day with usage in the filter (for "all"); null when there is none */
  firstDay: string | null;
}

export interface CostFreshness {
  /** the least recent of the gateways' last stores (how old the oldest figure may be); null until one stored */
  syncedAt: string | null;
  gateways: GatewayFreshness[];
}

export type CostBudget = CostOverview["budget"];

/** What the home shows of costs (homeCostSummary): the organization's, no filter. */
export interface HomeCostSummary {
  currency: typeof COST_CURRENCY;
  timeZone: string;
  todayDay: string;
  today: number;
  month: number;
  projectedMonth: number;
  projection: CostProjection;
  budget: CostBudget;
  /** the 7 days up to today, oldest first, zeros included (the sparkline) */
  last7Days: Array<{ day: string; cost: number }>;
  /** this month's calls without a price */
  missingCostEntries: number;
  freshness: CostFreshness;
}

export const COST_RANGES = ["7d", "30d", "all", "custom"] as const;
export type CostRange = (typeof COST_RANGES)[number];
