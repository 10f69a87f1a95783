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

export class TranscriptIngest {
  private readonly lock: AdvisoryLocks;
  private tailer: TranscriptTailer | undefined;
  private readonly offsets = new PgOffsetStore();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: { databaseUrl: string; stateDir: string; org?: string; retryMs?: number }) {
    this.lock = new AdvisoryLocks({ databaseUrl: options.databaseUrl, space: LOCK_SPACE, name: "mission-control-transcripts", onLost: () => void this.lost() });
  }

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
    const orgId = (await resolveOrganization(this.options.org))?.id;
    if (!orgId) return; // no organization yet (first run): try again later
    if (!(await this.lock.tryAcquire(LOCK_KEY))) return;
    const tailer = transcriptTailer({ stateDir: this.options.stateDir, orgId, gatewayId: null, offsets: this.offsets });
    await tailer.start();
    // only now: a folder that could not be tailed is tried again on the next tick, the lock still ours
    clearInterval(this.timer);
    this.tailer = tailer;
    log.info("tailing legacy transcripts", { stateDir: this.options.stateDir });
  }

  private async lost() {
    log.warn("lost the transcript lock connection; stopping the tailer (another process may take over)");
    const tailer = this.tailer;
    this.tailer = undefined;
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
    await this.lock.close();
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
