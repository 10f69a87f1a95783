import pg from "pg";
import { db } from "~/db/data-source.server";
import { log } from "~/lib/log.server";
import { workQueue, type WorkQueue } from "~/lib/work-queue";
import { recordAgentActivity, upsertSessionRows } from "~/models/agent-session.server";
import { sessionFacts, type SessionFacts } from "~/activity/session-row";
import { TranscriptTailer, type OffsetState, type OffsetStore } from "./transcript-tailer.server";

/*
 * F6: the legacy source. Gateways up to 2026.7 write transcripts into their state directory; with
 * OPENCLAW_STATE_DIR set, one process (advisory lock) tails them into the same activity stream and
 * sessions table the gateway events feed. Offsets live in PostgreSQL, so a restart or a takeover by
 * another process neither replays nor loses records.
 */

const LOCK = [4243, 1] as const;

type Queryable = { query(sql: string, params?: unknown[]): Promise<unknown> };

/**
 * Offsets in PostgreSQL. A save does not hold up the next read: the newest offset of each file is
 * written by one write at a time in the background (older ones are skipped), and flush() waits for
 * them. A chunk that yields activity has its offset stored in the activity's own transaction
 * (saveWithin); the others (nothing to store) are saved in the background, where a crash replays
 * lines that yield nothing.
 */
export class PgOffsetStore implements OffsetStore {
  private latest = new Map<string, OffsetState>();
  private writing = new Map<string, Promise<void>>();

  /** `scope` keeps two tailers of one folder (global and a gateway's) from sharing offsets. */
  constructor(private readonly scope = "") {}

  async get(file: string) {
    const pending = this.latest.get(file);
    if (pending) return pending;
    const rows: Array<{ byte_offset: string; inode: string; size: string }> = await db().query(
      "select byte_offset, inode, size from transcript_offsets where file = $1",
      [this.scope + file],
    );
    const row = rows[0];
    return row ? { offset: Number(row.byte_offset), inode: Number(row.inode), size: Number(row.size) } : null;
  }

  async set(file: string, state: OffsetState) {
    this.latest.set(file, state);
    if (!this.writing.has(file)) this.writing.set(file, this.drain(file));
  }

  /** Resolves when no background save of this file is under way (call before saveWithin). */
  async settle(file: string) {
    await this.writing.get(file);
  }

  /**
   * Saves `state` in the caller's transaction (with the events it ends): exactly once. Call settle()
   * first, so no background save lands after it with an older offset.
   */
  async saveWithin(manager: Queryable, file: string, state: OffsetState) {
    this.latest.delete(file);
    await this.write(manager, file, state);
  }

  private write(to: Queryable, file: string, state: OffsetState) {
    return to.query(
      `insert into transcript_offsets (file, byte_offset, inode, size, updated_at) values ($1, $2, $3, $4, now())
       on conflict (file) do update set byte_offset = excluded.byte_offset, inode = excluded.inode, size = excluded.size, updated_at = now()`,
      [this.scope + file, state.offset, state.inode, state.size],
    );
  }

  private async drain(file: string) {
    try {
      for (let state = this.latest.get(file); state; state = this.latest.get(file)) {
        await this.write(db(), file, state);
        if (this.latest.get(file) === state) this.latest.delete(file);
      }
    } catch (error) {
      log.warn("could not save a transcript offset; it is retried with the next one", { file, error: String(error) });
    } finally {
      this.writing.delete(file);
    }
  }

  /** Resolves when every offset handed to set() so far is in the database. */
  async flush() {
    while (this.writing.size > 0) await Promise.all(this.writing.values());
  }
}

/**
 * A tailer of one state directory into one organization's activity and sessions: the global one
 * (OPENCLAW_STATE_DIR, gatewayId null) or a gateway's transcript folder (run by the gateway's owner).
 */
export function transcriptTailer({
  stateDir,
  orgId,
  gatewayId,
  offsets,
  queue = workQueue(),
}: {
  stateDir: string;
  orgId: string;
  gatewayId: string | null;
  offsets: PgOffsetStore;
  /**
   * A gateway's folder: its writes go in that gateway's handling order, with its events and polls.
   * The global folder: in an order of its own (two quick sessions.json rewrites must not interleave).
   */
  queue?: WorkQueue;
}) {
  /** session key -> the facts last stored for it (keys are unique per state dir) */
  const stored = new Map<string, string>();
  return new TranscriptTailer({
    stateDir,
    offsets,
    // the offset reached is stored in the events' own transaction: a crash neither replays nor loses them
    onEvents: async (events, file, next) => {
      await offsets.settle(file.path);
      await queue.run(() => recordAgentActivity({ orgId, gatewayId, events, within: (manager) => offsets.saveWithin(manager, file.path, next) }));
      return true;
    },
    onSessions: (_agentId, rows) => {
      // sessions.json is rewritten whole for every change: store only the rows that changed
      const sessions = Object.entries(rows)
        .map(([key, row]) => sessionFacts(row as Record<string, unknown>, {}, key))
        .filter((facts): facts is SessionFacts => facts !== null)
        .filter((facts) => {
          const seen = JSON.stringify(facts);
          if (stored.get(facts.sessionKey) === seen) return false;
          stored.set(facts.sessionKey, seen);
          return true;
        });
      if (sessions.length === 0) return;
      void queue.run(() => upsertSessionRows({ orgId, gatewayId, sessions })).catch((error) => {
        for (const facts of sessions) stored.delete(facts.sessionKey); // written again with the next change
        log.warn("could not store sessions.json rows", { gatewayId, error: String(error) });
      });
    },
    onWarning: (message, details) => log.warn(`transcripts: ${message}`, { gatewayId, ...(details as Record<string, unknown> | undefined) }),
  });
}

async function resolveOrg(hint: string | undefined): Promise<string | null> {
  const rows: Array<{ id: string }> = hint
    ? await db().query("select id from organizations where id::text = $1 or slug = $1", [hint])
    : await db().query("select id from organizations order by created_at limit 1");
  return rows[0]?.id ?? null;
}

export class TranscriptIngest {
  private lockClient: pg.Client | undefined;
  private tailer: TranscriptTailer | undefined;
  private readonly offsets = new PgOffsetStore();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: { databaseUrl: string; stateDir: string; org?: string; retryMs?: number }) {}

  get running() {
    return this.tailer !== undefined;
  }

  async start() {
    await this.tryStart();
    if (!this.tailer && !this.stopped) {
      this.timer = setInterval(() => void this.tryStart(), this.options.retryMs ?? 5_000);
      this.timer.unref();
    }
  }

  private async tryStart() {
    if (this.tailer || this.stopped) return;
    const orgId = await resolveOrg(this.options.org);
    if (!orgId) return; // no organization yet (first run): try again later
    if (!this.lockClient) {
      this.lockClient = new pg.Client({ connectionString: this.options.databaseUrl, application_name: "mission-control-transcripts" });
      this.lockClient.on("error", () => void this.lost());
      await this.lockClient.connect();
    }
    const { rows } = await this.lockClient.query("select pg_try_advisory_lock($1, $2) as locked", [...LOCK]);
    if (!rows[0]?.locked) return;
    clearInterval(this.timer);
    const tailer = transcriptTailer({ stateDir: this.options.stateDir, orgId, gatewayId: null, offsets: this.offsets });
    await tailer.start();
    this.tailer = tailer;
    log.info("tailing legacy transcripts", { stateDir: this.options.stateDir });
  }

  private async lost() {
    log.warn("lost the transcript lock connection; stopping the tailer (another process may take over)");
    const tailer = this.tailer;
    this.tailer = undefined;
    this.lockClient = undefined;
    await tailer?.close().catch(() => {});
    if (!this.stopped) {
      this.timer = setInterval(() => void this.tryStart().catch(() => {}), this.options.retryMs ?? 5_000);
      this.timer.unref();
    }
  }

  /** Resolves once everything written so far is read, recorded and its offset saved. */
  async flush() {
    await this.tailer?.flush();
    await this.offsets.flush();
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    await this.tailer?.close().catch(() => {});
    this.tailer = undefined;
    // the offsets must be saved before the lock goes, or the next owner would replay
    await this.offsets.flush();
    await this.lockClient?.end().catch(() => {});
    this.lockClient = undefined;
  }
}

let current: TranscriptIngest | undefined;

export async function startTranscriptIngest(options: ConstructorParameters<typeof TranscriptIngest>[0]) {
  current ??= new TranscriptIngest(options);
  await current.start();
  return current;
}

export async function stopTranscriptIngest() {
  const ingest = current;
  current = undefined;
  await ingest?.stop();
}
