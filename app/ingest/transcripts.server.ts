import { AdvisoryLocks } from "~/db/advisory-locks.server";
import { log } from "~/lib/log.server";
import { workQueue, type WorkQueue } from "~/lib/work-queue";
import { recordAgentActivity, upsertSessionRows } from "~/models/agent-session.server";
import { resolveOrganization } from "~/models/organization.server";
import { sessionFacts, type SessionFacts } from "~/activity/session-row";
import { PgOffsetStore } from "./transcript-offsets.server";
import { TranscriptTailer } from "./transcript-tailer.server";


/*
 * F6: the legacy source. Gateways up to 2026.7 write transcripts into their state directory; with
 * OPENCLAW_STATE_DIR set, one process (advisory lock) tails them into the same activity stream and
 * sessions table the gateway events feed. Offsets live in PostgreSQL, so a restart or a takeover by
 * another process neither replays nor loses records.
 */

/** the legacy folder's lock: (4243, 1), as before the lock helper, so old and new processes agree */
const LOCK_SPACE = 4243;
const LOCK_KEY = 1;

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

/** A repeating timer; the returned function disarms it. */
export type RetryClock = (ms: number, tick: () => void) => () => void;

const intervalClock: RetryClock = (ms, tick) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

export interface TranscriptIngestOptions {
  databaseUrl: string;
  stateDir: string;
  org?: string;
  retryMs?: number;
}

/** What the ingest is made of, handed in by tests (a slow reader, a lock that drops, a clock they tick). */
export interface TranscriptIngestParts {
  locks?: (onLost: () => void) => Pick<AdvisoryLocks, "tryAcquire" | "holds" | "close">;
  organizationId?: () => Promise<string | undefined>;
  tailer?: (orgId: string) => Pick<TranscriptTailer, "start" | "flush" | "close">;
  clock?: RetryClock;
}

export class TranscriptIngest {
  private readonly lock: Pick<AdvisoryLocks, "tryAcquire" | "holds" | "close">;
  private readonly offsets = new PgOffsetStore();
  private readonly organizationId: () => Promise<string | undefined>;
  private readonly newTailer: (orgId: string) => Pick<TranscriptTailer, "start" | "flush" | "close">;
  private readonly clock: RetryClock;
  private tailer: Pick<TranscriptTailer, "start" | "flush" | "close"> | undefined;
  /** the reader whose first read is under way (not tailing for us until the lock is checked after it) */
  private opening: Pick<TranscriptTailer, "start" | "flush" | "close"> | undefined;
  /** the try under way: a retry tick during a slow first read joins it instead of starting a second reader */
  private trying: Promise<void> | undefined;
  private disarmRetry: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly options: TranscriptIngestOptions,
    parts: TranscriptIngestParts = {},
  ) {
    const onLost = () => void this.lost().catch((error) => log.warn("could not stop the legacy transcript tailer", { error: String(error) }));
    this.lock = parts.locks?.(onLost) ?? new AdvisoryLocks({ databaseUrl: options.databaseUrl, space: LOCK_SPACE, name: "mission-control-transcripts", onLost });
    this.organizationId = parts.organizationId ?? (async () => (await resolveOrganization(options.org))?.id);
    this.newTailer = parts.tailer ?? ((orgId) => transcriptTailer({ stateDir: options.stateDir, orgId, gatewayId: null, offsets: this.offsets }));
    this.clock = parts.clock ?? intervalClock;
  }

  get running() {
    return this.tailer !== undefined;
  }

  /** Tails the folder if the lock is free, else (or when that fails) keeps trying every retryMs. */
  async start() {
    // a try begun before this call may have found the lock taken: this call makes a try of its own
    await this.trying;
    await this.tryStart();
  }

  /** One retry timer at most (lost() and start() both arm it), and none while a reader runs. */
  private armRetry() {
    if (this.disarmRetry || this.tailer || this.stopped) return;
    this.disarmRetry = this.clock(this.options.retryMs ?? 5_000, () => void this.tryStart());
  }

  private disarm() {
    this.disarmRetry?.();
    this.disarmRetry = undefined;
  }

  /** Never rejects (timer ticks call it): a try that fails is logged, and a retry timer is armed after every try that left no reader. */
  private tryStart(): Promise<void> {
    this.trying ??= this.startOnce()
      .catch((error) => log.warn("could not start tailing legacy transcripts; trying again", { stateDir: this.options.stateDir, error: String(error) }))
      .finally(() => {
        this.trying = undefined;
        this.armRetry();
      });
    return this.trying;
  }

  private async startOnce() {
    if (this.tailer || this.stopped) return;
    const orgId = await this.organizationId();
    if (!orgId) return; // no organization yet (first run): try again later
    if (!(await this.lock.tryAcquire(LOCK_KEY)) || this.stopped) return;
    const tailer = this.newTailer(orgId);
    this.opening = tailer;
    // the first read of a long history may outlast several ticks: none of them may start another reader
    this.disarm();
    try {
      await tailer.start();
    } catch (error) {
      // the lock stays ours: the folder is tried again on the next tick
      await tailer.close().catch(() => {});
      throw error;
    } finally {
      if (this.opening === tailer) this.opening = undefined;
    }
    if (this.stopped) return; // stop() closed it
    if (!this.lock.holds(LOCK_KEY)) {
      // the lock connection dropped during the first read: another process may be tailing already
      log.warn("lost the transcript lock while starting; stopping the tailer (another process may take over)");
      await tailer.close().catch(() => {});
      return;
    }
    this.tailer = tailer;
    log.info("tailing legacy transcripts", { stateDir: this.options.stateDir });
  }

  private async lost() {
    log.warn("lost the transcript lock connection; stopping the tailer (another process may take over)");
    const tailer = this.tailer;
    this.tailer = undefined;
    await tailer?.close().catch(() => {});
    // a reader still starting is closed by its own try, once its start() returns and the lock is not held
    this.armRetry();
  }

  /** Resolves once everything written so far is read, recorded and its offset saved. */
  async flush() {
    await this.tailer?.flush();
    await this.offsets.flush();
  }

  async stop() {
    this.stopped = true;
    this.disarm();
    // a reader still on its first read is closed too (its try sees stopped and leaves it)
    const tailers = [this.tailer, this.opening];
    this.tailer = undefined;
    this.opening = undefined;
    for (const tailer of tailers) await tailer?.close().catch(() => {});
    // the offsets must be saved before the lock goes, or the next owner would replay
    await this.offsets.flush();
    await this.lock.close();
  }
}

let current: TranscriptIngest | undefined;

export async function startTranscriptIngest(options: TranscriptIngestOptions) {
  current ??= new TranscriptIngest(options);
  await current.start();
  return current;
}

export async function stopTranscriptIngest() {
  const ingest = current;
  current = undefined;
  await ingest?.stop();
}
