/*
 * Types for the gateway methods Mission Control uses (wrapped in methods.ts), shaped from
 * responses recorded from a real gateway (../shared/openclaw/samples/rpc/*.json) and name only the
 * fields the app relies on; the rest is open (`[key: string]: unknown`), because gateways add fields
 * between versions and the app must not break on them.
 */

export interface RequestOptions {
  /** overrides the connection's default request timeout */
  timeoutMs?: number;
}

/** What the wrappers need from a connection (GatewayConnection implements it; tests may fake it). */
export interface GatewayRequester {
  request<T = unknown>(method: string, params?: Record<string, unknown>, options?: RequestOptions): Promise<T>;
}

type Open = { [key: string]: unknown };

export interface EventLoopHealth extends Open {
  degraded: boolean;
  delayP99Ms?: number;
  utilization?: number;
}

export interface ProcessMemory extends Open {
  rssBytes: number;
  heapUsedBytes?: number;
}

export interface RecentSession extends Open {
  key: string;
  updatedAt: number;
}

// ---- health / status / system.info ----

export interface HealthResult extends Open {
  ok: boolean;
  ts: number;
  durationMs?: number;
  defaultAgentId?: string;
  heartbeatSeconds?: number;
  channels?: Record<string, unknown>;
  agents?: Array<Open & { agentId: string; isDefault?: boolean; sessions?: { count: number; recent?: RecentSession[] } }>;
  sessions?: { count: number; recent?: RecentSession[] };
  eventLoop?: EventLoopHealth;
}

export interface StatusSessionSummary extends RecentSession {
  agentId?: string;
  sessionId?: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
}

export interface StatusResult extends Open {
  runtimeVersion: string;
  pid?: number;
  tasks?: Open & {
    total: number;
    active: number;
    failures?: number;
    byStatus?: Record<string, number>;
    byRuntime?: Record<string, number>;
  };
  sessions?: Open & { count: number; recent?: StatusSessionSummary[] };
  channelSummary?: unknown[];
  processMemory?: ProcessMemory;
  eventLoop?: EventLoopHealth;
}

export interface SystemInfoResult extends Open {
  hostname: string;
  platform: string;
  arch?: string;
  release?: string;
  nodeVersion?: string;
  uptimeMs?: number;
  cpuCount?: number;
  loadAverage?: number[];
  memoryTotalBytes?: number;
  memoryFreeBytes?: number;
  processMemory?: ProcessMemory;
  disks?: Array<Open & { path: string; totalBytes: number; availableBytes: number }>;
}

// ---- agents ----

export interface AgentSummary extends Open {
  id: string;
  /** present when the agent has a configured name; the id otherwise names it */
  name?: string;
  workspace?: string;
  model?: Open & { primary?: string; fallbacks?: string[] };
}

export interface AgentsListResult extends Open {
  defaultId: string;
  mainKey: string;
  agents: AgentSummary[];
}

// ---- sessions ----

export interface SessionRow extends Open {
  /** agent:<agentId>:<name>; a cron run's is agent:<agentId>:cron:<jobId>:run:<sessionId> */
  key: string;
  sessionId?: string;
  agentId?: string;
  /** e.g. "done", "running" */
  status?: string;
  label?: string;
  displayName?: string;
  kind?: string;
  model?: string;
  modelProvider?: string;
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  contextTokens?: number;
  estimatedCostUsd?: number;
  updatedAt?: number;
  startedAt?: number;
  endedAt?: number;
  runtimeMs?: number;
  spawnedBy?: string;
  hasActiveRun?: boolean;
}

export interface SessionsListParams extends Open {
  limit?: number;
  offset?: number;
}

export interface SessionsListResult extends Open {
  count: number;
  totalCount?: number;
  hasMore?: boolean;
  nextOffset?: number | null;
  sessions: SessionRow[];
}

export interface SessionsSubscribeResult extends Open {
  subscribed: boolean;
  list?: SessionsListResult;
}

export interface SessionPreview extends Open {
  key: string;
  /** "ok", or "cold" (archived transcript: empty items) */
  status: string;
  items: Array<Open & { role: string; text: string }>;
}

export interface SessionsPreviewResult extends Open {
  ts?: number;
  previews: SessionPreview[];
}

// ---- chat ----

export interface ChatContentBlock extends Open {
  type: string;
  text?: string;
  name?: string;
  arguments?: unknown;
}

export interface ChatMessage extends Open {
  role: "user" | "assistant" | "toolResult" | (string & {});
  content: string | ChatContentBlock[];
  timestamp?: number;
  provider?: string;
  model?: string;
  usage?: Open & {
    input?: number;
    output?: number;
    cacheRead?: number;
    cacheWrite?: number;
    totalTokens?: number;
    cost?: Open & { total?: number };
  };
  stopReason?: string;
}

export interface ChatHistoryParams extends Open {
  sessionKey: string;
  limit?: number;
  cursor?: string;
}

export interface ChatHistoryResult extends Open {
  sessionKey: string;
  sessionId?: string;
  messages: ChatMessage[];
  hasMore?: boolean;
  totalMessages?: number;
}

export interface ChatSendParams extends Open {
  sessionKey: string;
  message: string;
  /** makes a retried send safe: the gateway runs one turn per key */
  idempotencyKey: string;
}

export interface ChatSendResult extends Open {
  runId: string;
  /** "started" */
  status: string;
}

// ---- cron ----

export type CronSchedule =
  | (Open & { kind: "cron"; expr: string; tz?: string })
  | (Open & { kind: "every"; everyMs: number; anchorMs?: number })
  | (Open & { kind: "at"; at: string });

export interface CronJobState extends Open {
  nextRunAtMs?: number;
  lastRunAtMs?: number;
  lastRunStatus?: string;
  lastDurationMs?: number;
  consecutiveErrors?: number;
}

export interface CronJob extends Open {
  id: string;
  name: string;
  enabled: boolean;
  agentId?: string;
  effectiveAgentId?: string;
  schedule: CronSchedule | (Open & { kind: string });
  payload?: Open & { kind: string; message?: string; text?: string };
  state?: CronJobState;
  createdAtMs?: number;
  updatedAtMs?: number;
}

export interface CronListParams extends Open {
  includeDisabled?: boolean;
  limit?: number;
  offset?: number;
  agentId?: string;
}

export interface CronListResult extends Open {
  jobs: CronJob[];
  total?: number;
  hasMore?: boolean;
  nextOffset?: number | null;
}

export interface CronStatusResult extends Open {
  enabled: boolean;
  jobs: number;
  storage?: string;
  nextWakeAtMs?: number | null;
}

export interface CronRunsParams extends Open {
  /** one job's runs; all jobs when omitted */
  id?: string;
  runId?: string;
  limit?: number;
  offset?: number;
}

export interface CronRunEntry extends Open {
  ts: number;
  jobId: string;
  jobName?: string;
  status?: string;
  summary?: string;
  error?: string;
  runId?: string;
  runAtMs?: number;
  durationMs?: number;
  model?: string;
  provider?: string;
  usage?: Open & { input_tokens?: number; output_tokens?: number; total_tokens?: number; cache_read_tokens?: number };
  sessionKey?: string;
  sessionId?: string;
}

export interface CronRunsResult extends Open {
  entries: CronRunEntry[];
  total?: number;
  hasMore?: boolean;
}

/** A new job; see the gateway's cron docs for the other payload and delivery kinds. */
export interface CronJobInput extends Open {
  name: string;
  agentId?: string;
  enabled?: boolean;
  schedule: CronSchedule;
  /** "isolated" runs each time in a fresh session */
  sessionTarget: string;
  wakeMode: "now" | "next-heartbeat";
  payload: Open & { kind: string; message?: string; text?: string };
  delivery?: Open & { mode: string };
}

export interface CronJobPatch extends Open {
  name?: string;
  enabled?: boolean;
  schedule?: CronSchedule;
  payload?: Open & { kind: string };
}

export interface CronRemoveResult extends Open {
  ok?: boolean;
  removed?: boolean;
}

export interface CronRunResult extends Open {
  ok: boolean;
  enqueued?: boolean;
  /** follow the run with cron.runs({ runId }) */
  runId?: string;
}

// ---- usage / models / logs / update ----

export interface UsageCostTotals extends Open {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  totalCost: number;
  inputCost?: number;
  outputCost?: number;
  cacheReadCost?: number;
  cacheWriteCost?: number;
  missingCostEntries?: number;
}

export interface UsageCostDay extends UsageCostTotals {
  /** YYYY-MM-DD */
  date: string;
}

export interface UsageCostParams extends Open {
  days?: number;
  agentId?: string;
}

export interface UsageCostResult extends Open {
  updatedAt: number;
  days: number;
  daily: UsageCostDay[];
  totals: UsageCostTotals;
  /** "refreshing" means the totals are older than the latest runs */
  cacheStatus?: Open & { status: string };
}

export interface SessionsUsageParams extends Open {
  /** one session; without it, every session (up to `limit`) */
  key?: string;
  limit?: number;
  /** YYYY-MM-DD; the gateway's default window is the last 30 days */
  startDate?: string;
  endDate?: string;
}

/** One session's usage over the window, summed over every model call (not just the last run). */
export interface SessionUsage extends UsageCostTotals {
  sessionId?: string;
  firstActivity?: number;
  lastActivity?: number;
}

export interface SessionsUsageResult extends Open {
  updatedAt: number;
  startDate: string;
  endDate: string;
  /** `usage` is null while the gateway has not counted a session yet (cacheStatus "refreshing") */
  sessions: Array<Open & { key: string; sessionId?: string; agentId?: string; usage: SessionUsage | null }>;
  totals: UsageCostTotals;
  cacheStatus?: Open & { status: string };
}

export interface UsageStatusResult extends Open {
  updatedAt?: number;
  providers: Array<Open & { provider?: string }>;
}

export interface ModelSummary extends Open {
  id: string;
  name?: string;
  provider: string;
  contextWindow?: number;
  available?: boolean;
}

export interface ModelsListResult extends Open {
  models: ModelSummary[];
}

export interface LogsTailParams extends Open {
  limit?: number;
  cursor?: number;
  maxBytes?: number;
}

export interface LogsTailResult extends Open {
  /** each line is one JSON log record, as text */
  lines: string[];
  cursor: number;
  size?: number;
  truncated?: boolean;
  /** the log file was rotated: start over from the returned cursor */
  reset?: boolean;
}

export interface UpdateStatusResult extends Open {
  updateAvailable: unknown;
  effectiveChannel?: string;
}
