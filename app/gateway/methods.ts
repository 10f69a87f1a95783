import type {
  AgentsListResult,
  ChatHistoryParams,
  ChatHistoryResult,
  ChatSendParams,
  ChatSendResult,
  CronJob,
  CronJobInput,
  CronJobPatch,
  CronListParams,
  CronListResult,
  CronRemoveResult,
  CronRunResult,
  CronRunsParams,
  CronRunsResult,
  CronStatusResult,
  GatewayRequester,
  HealthResult,
  LogsTailParams,
  LogsTailResult,
  ModelsListResult,
  RequestOptions,
  SessionsListParams,
  SessionsListResult,
  SessionsPreviewResult,
  SessionsSubscribeResult,
  SessionsUsageParams,
  SessionsUsageResult,
  StatusResult,
  SystemInfoResult,
  UpdateStatusResult,
  UsageCostParams,
  UsageCostResult,
  UsageStatusResult,
} from "./method-types";

export type * from "./method-types";

/*
 * Typed wrappers for the gateway methods Mission Control uses: one method each, named after the
 * gateway's, with its params and the result type shaped from the recorded answers.
 */

/** The gateway methods Mission Control uses, each a typed call through one connection. */
export class GatewayApi {
  constructor(private readonly connection: GatewayRequester) {}

  health(options?: RequestOptions) {
    return this.call<HealthResult>("health", {}, options);
  }
  status(options?: RequestOptions) {
    return this.call<StatusResult>("status", {}, options);
  }
  systemInfo(options?: RequestOptions) {
    return this.call<SystemInfoResult>("system.info", {}, options);
  }
  /** The gateway's own device identity: the same gateway answers the same id at any URL. */
  gatewayIdentityGet(options?: RequestOptions) {
    return this.call<{ deviceId?: string; publicKey?: string }>("gateway.identity.get", {}, options);
  }
  agentsList(options?: RequestOptions) {
    return this.call<AgentsListResult>("agents.list", {}, options);
  }
  sessionsList(params: SessionsListParams = { limit: 50 }, options?: RequestOptions) {
    return this.call<SessionsListResult>("sessions.list", params, options);
  }
  /** After this, sessions.changed and session.message events flow on this connection (until it drops). */
  sessionsSubscribe(params: SessionsListParams = { limit: 50 }, options?: RequestOptions) {
    return this.call<SessionsSubscribeResult>("sessions.subscribe", params, options);
  }
  sessionsPreview(params: { keys: string[]; limit?: number }, options?: RequestOptions) {
    return this.call<SessionsPreviewResult>("sessions.preview", params, options);
  }
  chatHistory(params: ChatHistoryParams, options?: RequestOptions) {
    return this.call<ChatHistoryResult>("chat.history", params, options);
  }
  /** Starts a turn; its progress arrives as chat and agent events carrying the returned runId. */
  chatSend(params: ChatSendParams, options?: RequestOptions) {
    return this.call<ChatSendResult>("chat.send", params, options);
  }
  cronList(params: CronListParams = {}, options?: RequestOptions) {
    return this.call<CronListResult>("cron.list", params, options);
  }
  cronStatus(options?: RequestOptions) {
    return this.call<CronStatusResult>("cron.status", {}, options);
  }
  cronRuns(params: CronRunsParams = {}, options?: RequestOptions) {
    return this.call<CronRunsResult>("cron.runs", params, options);
  }
  cronAdd(job: CronJobInput, options?: RequestOptions) {
    return this.call<CronJob>("cron.add", job, options);
  }
  cronUpdate(params: { id: string; patch: CronJobPatch }, options?: RequestOptions) {
    return this.call<CronJob>("cron.update", params, options);
  }
  cronRemove(params: { id: string }, options?: RequestOptions) {
    return this.call<CronRemoveResult>("cron.remove", params, options);
  }
  /** Enqueues a run now; completion shows up in cron.runs and as a cron "finished" event. */
  cronRun(params: { id: string }, options?: RequestOptions) {
    return this.call<CronRunResult>("cron.run", params, options);
  }
  usageCost(params: UsageCostParams = {}, options?: RequestOptions) {
    return this.call<UsageCostResult>("usage.cost", params, options);
  }
  /**
   * Each session's usage summed over every model call in the window. The session rows of
   * sessions.list carry the last run's figures only.
   */
  sessionsUsage(params: SessionsUsageParams = {}, options?: RequestOptions) {
    return this.call<SessionsUsageResult>("sessions.usage", params, options);
  }
  usageStatus(options?: RequestOptions) {
    return this.call<UsageStatusResult>("usage.status", {}, options);
  }
  modelsList(options?: RequestOptions) {
    return this.call<ModelsListResult>("models.list", {}, options);
  }
  logsTail(params: LogsTailParams = { limit: 100 }, options?: RequestOptions) {
    return this.call<LogsTailResult>("logs.tail", params, options);
  }
  updateStatus(options?: RequestOptions) {
    return this.call<UpdateStatusResult>("update.status", {}, options);
  }

  private call<T>(method: string, params: Record<string, unknown>, options?: RequestOptions): Promise<T> {
    return this.connection.request<T>(method, params, options);
  }
}
