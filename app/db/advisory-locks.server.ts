import pg from "pg";

/*
 * Ownership by PostgreSQL advisory lock, for work exactly one process may do (a gateway's
 * connection, the legacy transcript folder). Session-level locks live as long as the connection
 * that took them, so they sit on a dedicated connection of their own, never on a pooled one: when
 * that connection dies, every lock on it is gone at once, another process may take the work over,
 * and `onLost` says so here. Keys are `[space, key]`: a string key is hashed by PostgreSQL's
 * `hashtext`, a number is used as it is (so the two-int forms taken before this helper still match).
 */

export type LockKey = string | number;

export interface AdvisoryLocksOptions {
  databaseUrl: string;
  /** the first int of every lock taken here: one space per kind of work */
  space: number;
  /** application_name of the lock connection (what pg_stat_activity shows) */
  name: string;
  /** the connection is gone, and with it these keys (no longer held here) */
  onLost?: (keys: LockKey[], error: Error) => void;
}

const lockSql = (fn: string, key: LockKey) => `select ${fn}($1::int, ${typeof key === "number" ? "$2::int" : "hashtext($2::text)"}) as ok`;

export class AdvisoryLocks {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly keys = new Set<LockKey>();
  /** tries under way: a second try of the same key waits for the first (PostgreSQL counts a lock taken twice) */
  private readonly trying = new Map<LockKey, Promise<boolean>>();
  private closed = false;

  constructor(private readonly options: AdvisoryLocksOptions) {}

  /** The keys this process holds now. */
  held(): LockKey[] {
    return Array.from(this.keys);
  }

  holds(key: LockKey): boolean {
    return this.keys.has(key);
  }

  /** Takes `key` unless another process holds it; true when it is held here (already or now). */
  async tryAcquire(key: LockKey): Promise<boolean> {
    if (this.keys.has(key)) return true;
    let attempt = this.trying.get(key);
    if (!attempt) {
      attempt = this.take(key).finally(() => this.trying.delete(key));
      this.trying.set(key, attempt);
    }
    return attempt;
  }

  private async take(key: LockKey): Promise<boolean> {
    const client = await this.connection();
    const { rows } = await client.query<{ ok: boolean }>(lockSql("pg_try_advisory_lock", key), [this.options.space, key]);
    // the connection may have died while we asked: a lock on it would be gone already
    if (!rows[0]?.ok || this.client !== client) return false;
    this.keys.add(key);
    return true;
  }

  /** Lets `key` go (another process may take it at once); nothing when it is not held here. */
  async release(key: LockKey): Promise<void> {
    if (!this.keys.delete(key)) return;
    // a failure means the connection is gone, and the lock with it
    await this.client?.query(lockSql("pg_advisory_unlock", key), [this.options.space, key]).catch(() => {});
  }

  /** Ends the lock connection: every key held here is released, and `onLost` is not called. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    this.keys.clear();
    await client?.end().catch(() => {});
  }

  private async connection(): Promise<pg.Client> {
    if (this.closed) throw new Error(`The advisory locks "${this.options.name}" are closed.`);
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: this.options.name });
      const lost = (error: Error) => this.lost(client, error);
      client.on("error", lost);
      client.on("end", () => lost(new Error("the lock connection ended")));
      try {
        await client.connect();
      } catch (error) {
        client.removeAllListeners();
        throw error;
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private lost(client: pg.Client, error: Error) {
    if (this.client !== client) return; // an old connection, or one closed on purpose
    this.client = undefined;
    const keys = this.held();
    this.keys.clear();
    client.end().catch(() => {});
    this.options.onLost?.(keys, error);
  }
}
