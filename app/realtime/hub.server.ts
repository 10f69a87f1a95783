import pg from "pg";
import { log } from "~/lib/log.server";
import { processSingleton } from "~/lib/singleton";
import { NOTIFY_CHANNEL } from "./publish.server";

/*
 * One LISTEN connection per process. PostgreSQL delivers notifications in commit order, and event
 * ids follow commit order (see publish.server.ts). A notification that carries its whole event is
 * fanned out as it is; one that carries only an id (a large event), or any that arrives while a
 * read is under way, makes the hub read the log forward from its cursor, so a burst costs one
 * query. After a lost connection the same read catches up on everything committed meanwhile. Events
 * go to in-process subscribers by org and topic.
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
  topics: ReadonlySet<string>;
  deliver: (event: LiveEvent) => void;
}

const BATCH = 1000;

export function matches(subscriber: Pick<Subscriber, "orgId" | "topics">, event: Pick<LiveEvent, "orgId" | "topics">): boolean {
  if (subscriber.orgId !== "*" && event.orgId !== null && event.orgId !== subscriber.orgId) return false;
  for (const topic of event.topics) if (subscriber.topics.has(topic)) return true;
  return false;
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
  private subscribers = new Set<Subscriber>();
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private reconnectDelay = 250;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connected = false;
  /**
   * True until a read of the log has caught up: while it is, no event is taken from its NOTIFY alone
   * (that would move the cursor past events still unread — after a lost connection, a failed read,
   * or a NOTIFY that carried only an id).
   */
  private behind = true;
  private retryDelay = 250;
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
    return this.subscribers.size;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Events after `afterId` a subscriber may see, oldest first (for Last-Event-ID replay). */
  async replay(subscriber: Pick<Subscriber, "orgId" | "topics">, afterId: string, limit = 5000): Promise<LiveEvent[]> {
    const { rows } = await this.reader.query(
      `select id, org_id, topics, type, data, created_at from event_log
        where id > $1 and id <= $2 and (org_id = $3 or org_id is null) and topics && $4::text[]
        order by id limit $5`,
      [afterId, this.cursor, subscriber.orgId, Array.from(subscriber.topics), limit],
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
      log.warn("realtime LISTEN connection failed; retrying", { error: String(error), retryInMs: this.reconnectDelay });
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
    this.reconnectDelay = 250;
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
    const delay = this.reconnectDelay * (0.8 + Math.random() * 0.4);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 10_000);
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
      this.retryDelay = 250;
    })()
      .catch((error) => {
        if (this.stopped) return;
        // still behind: read again soon, whether or not another notification comes
        log.warn("realtime read failed; retrying", { error: String(error), retryInMs: this.retryDelay });
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.readForward(), this.retryDelay);
        this.retryTimer.unref();
        this.retryDelay = Math.min(this.retryDelay * 2, 10_000);
      })
      .finally(() => {
        this.reading = undefined;
      });
  }

  private fanOut(event: LiveEvent) {
    for (const subscriber of this.subscribers) {
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
