import pg from "pg";
import { backoffDelay, type BackoffOptions } from "~/gateway/backoff";
import { log } from "~/lib/log.server";
import { follows, PRIVATE_KINDS } from "~/lib/topics";
import { processSingleton } from "~/lib/singleton";
import { NOTIFY_CHANNEL } from "./publish.server";

/*
 * One LISTEN connection per process. PostgreSQL delivers notifications in commit order, and event
 * ids follow commit order (see publish.server.ts). A notification that carries its whole event is
 * fanned out as it is; one that carries only an id (a large event), or any that arrives while a
 * read is under way, makes the hub read the log forward from its cursor, so a burst costs one
 * query. After a lost connection the same read catches up on everything committed meanwhile. Events
 * go to in-process subscribers by org and topic (the rule is lib/topics' `follows`).
 */

export interface LiveEvent {
  id: string;
  orgId: string | null;
  topics: string[];
  type: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

export interface Subscriber {
  /** "*" for in-process system subscribers (e.g. the gateway runtime) that follow every organization */
  orgId: string;
  /** the topics followed; null: everything of the organization (not other credentials' private topics) */
  topics: ReadonlySet<string> | null;
  /** this subscriber's own private topics ("session:<id>", "token:<id>"…), whatever it follows */
  own?: ReadonlySet<string>;
  deliver: (event: LiveEvent) => void;
}

export type SubscriberFilter = Pick<Subscriber, "orgId" | "topics" | "own">;

const BATCH = 1000;
const NONE: ReadonlySet<string> = new Set();
/** Re-listen and re-read delays: the gateway client's jittered backoff, on a shorter scale. */
export const HUB_BACKOFF: BackoffOptions = { initialDelayMs: 250, maxDelayMs: 10_000, factor: 2, jitter: 0.4 };

export function matches(subscriber: SubscriberFilter, event: Pick<LiveEvent, "orgId" | "topics">): boolean {
  if (subscriber.orgId !== "*" && event.orgId !== null && event.orgId !== subscriber.orgId) return false;
  return follows(subscriber.topics, subscriber.own ?? NONE, event.topics);
}

/** The event a notification carries, or null when it carries only an id (or is not ours). */
export function eventFromPayload(payload: string | undefined): LiveEvent | null {
  if (!payload || payload[0] !== "{") return null;
  try {
    const value = JSON.parse(payload) as Record<string, unknown>;
    if (typeof value.id !== "string" || typeof value.type !== "string" || !Array.isArray(value.topics) || typeof value.createdAt !== "string") return null;
    return {
      id: value.id,
      orgId: typeof value.orgId === "string" ? value.orgId : null,
      topics: value.topics as string[],
      type: value.type,
      data: (value.data ?? {}) as Record<string, unknown>,
      createdAt: new Date(value.createdAt),
    };
  } catch {
    return null;
  }
}

function rowToEvent(row: Record<string, unknown>): LiveEvent {
  return {
    id: String(row.id),
    orgId: (row.org_id as string | null) ?? null,
    topics: row.topics as string[],
    type: row.type as string,
    data: row.data as Record<string, unknown>,
    createdAt: row.created_at as Date,
  };
}

export class RealtimeHub {
  private listener: pg.Client | undefined;
  private reader: pg.Pool;
  private cursor = "0";
  /** by organization ("*" for system subscribers), so an event visits only its org's streams */
  private subscribers = new Map<string, Set<Subscriber>>();
  private count = 0;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connected = false;
  /**
   * True until a read of the log has caught up: while it is, no event is taken from its NOTIFY alone
   * (that would move the cursor past events still unread — after a lost connection, a failed read,
   * or a NOTIFY that carried only an id).
   */
  private behind = true;
  private retryAttempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly url: string) {
    this.reader = new pg.Pool({ connectionString: url, max: 2, application_name: "mission-control-realtime" });
    this.reader.on("error", (error) => log.warn("realtime reader connection error", { error: String(error) }));
  }

  async start() {
    const rows: Array<{ max: string | null }> = await this.reader.query("select max(id)::text as max from event_log").then((r) => r.rows);
    this.cursor = rows[0]?.max ?? "0";
    await this.connect();
  }

  get isListening() {
    return this.connected;
  }

  get subscriberCount() {
    return this.count;
  }

  subscribe(subscriber: Subscriber): () => void {
    let group = this.subscribers.get(subscriber.orgId);
    if (!group) this.subscribers.set(subscriber.orgId, (group = new Set()));
    if (!group.has(subscriber)) this.count++;
    group.add(subscriber);
    return () => {
      const current = this.subscribers.get(subscriber.orgId);
      if (!current?.delete(subscriber)) return;
      this.count--;
      if (current.size === 0) this.subscribers.delete(subscriber.orgId);
    };
  }

  /** Events after `afterId` a subscriber may see, oldest first (for Last-Event-ID replay): the rule of `matches`, in SQL. */
  async replay(subscriber: SubscriberFilter, afterId: string, limit = 5000): Promise<LiveEvent[]> {
    const own = Array.from(subscriber.own ?? NONE);
    const { rows } = await this.reader.query(
      `select id, org_id, topics, type, data, created_at from event_log
        where id > $1 and id <= $2 and (org_id = $3 or org_id is null)
          and (topics && $4::text[]
               or ($5::text[] is null and exists (select 1 from unnest(topics) as t where split_part(t, ':', 1) <> all($6::text[]))))
        order by id limit $7`,
      [afterId, this.cursor, subscriber.orgId, subscriber.topics ? [...subscriber.topics, ...own] : own, subscriber.topics ? [] : null, PRIVATE_KINDS, limit],
    );
    return rows.map(rowToEvent);
  }

  get lastId() {
    return this.cursor;
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.retryTimer);
    this.subscribers.clear();
    this.count = 0;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => {});
    await this.reading?.catch(() => {});
    await this.reader.end().catch(() => {});
  }

  private async connect() {
    const client = new pg.Client({ connectionString: this.url, application_name: "mission-control-listen" });
    client.on("notification", (message) => this.onNotification(message.payload));
    client.on("error", (error) => {
      log.warn("realtime LISTEN connection lost; reconnecting", { error: String(error) });
      this.dropListener(client);
    });
    client.on("end", () => this.dropListener(client));
    this.behind = true;
    try {
      await client.connect();
      await client.query(`listen ${NOTIFY_CHANNEL}`);
    } catch (error) {
      log.warn("realtime LISTEN connection failed; retrying", { error: String(error), attempt: this.reconnectAttempt });
      client.end().catch(() => {});
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.listener = client;
    this.connected = true;
    this.reconnectAttempt = 0;
    // Anything committed while we were not listening is in the log: read it now.
    this.readForward();
  }

  private dropListener(client: pg.Client) {
    if (this.listener !== client) return;
    this.listener = undefined;
    this.connected = false;
    this.behind = true;
    client.end().catch(() => {});
    if (!this.stopped) this.scheduleReconnect();
  }

  private scheduleReconnect() {
    if (this.stopped) return;
    const delay = backoffDelay(this.reconnectAttempt++, HUB_BACKOFF);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private onNotification(payload: string | undefined) {
    const event = eventFromPayload(payload);
    if (!event || this.reading || this.behind) {
      this.behind = true;
      this.readForward();
      return;
    }
    // In order and whole: no need to read it back. Already seen (a catch-up read got it): skip.
    if (BigInt(event.id) <= BigInt(this.cursor)) return;
    this.cursor = event.id;
    this.fanOut(event);
  }

  /** Coalesces notifications: at most one read runs, and one more is queued if any arrived meanwhile. */
  private readForward() {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        let more = true;
        while (more && !this.stopped) {
          const { rows } = await this.reader.query(
            "select id, org_id, topics, type, data, created_at from event_log where id > $1 order by id limit $2",
            [this.cursor, BATCH],
          );
          for (const row of rows) {
            const event = rowToEvent(row);
            this.cursor = event.id;
            this.fanOut(event);
          }
          more = rows.length === BATCH;
        }
      } while (this.again && !this.stopped);
      // caught up, and (no I/O callback runs before this) no notification is waiting to be read;
      // without a listener, what comes next is unknown until the reconnect reads again
      if (this.connected) this.behind = false;
      this.retryAttempt = 0;
    })()
      .catch((error) => {
        if (this.stopped) return;
        // still behind: read again soon, whether or not another notification comes
        const delay = backoffDelay(this.retryAttempt++, HUB_BACKOFF);
        log.warn("realtime read failed; retrying", { error: String(error), retryInMs: delay });
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.readForward(), delay);
        this.retryTimer.unref();
      })
      .finally(() => {
        this.reading = undefined;
      });
  }

  private fanOut(event: LiveEvent) {
    // an event of no organization (addressed to one session) may be any org's subscriber's
    if (event.orgId === null) for (const group of this.subscribers.values()) this.deliverTo(group, event);
    else {
      const group = this.subscribers.get(event.orgId);
      if (group) this.deliverTo(group, event);
      const system = this.subscribers.get("*");
      if (system) this.deliverTo(system, event);
    }
  }

  private deliverTo(group: ReadonlySet<Subscriber>, event: LiveEvent) {
    for (const subscriber of group) {
      if (!matches(subscriber, event)) continue;
      try {
        subscriber.deliver(event);
      } catch (error) {
        log.warn("a live subscriber failed", { error: String(error) });
      }
    }
  }
}

const current = processSingleton<RealtimeHub>("realtime-hub", "The realtime hub is not running (startHub was not called).");

export async function startHub(url: string) {
  const existing = current.get();
  if (existing) return existing;
  const hub = new RealtimeHub(url);
  await hub.start();
  current.set(hub);
  return hub;
}

export function getHub(): RealtimeHub {
  return current.require();
}

export async function stopHub() {
  const hub = current.get();
  current.set(undefined);
  await hub?.stop();
}
