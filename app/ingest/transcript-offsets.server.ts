import { log } from "~/lib/log.server";
import { getTranscriptOffset, saveTranscriptOffset } from "~/models/transcript-offset.server";
import type { OffsetState, OffsetStore } from "./transcript-tailer.server";

/** the transaction recordAgentActivity hands to `within` (opaque here: the model writes in it) */
type Transaction = Parameters<typeof saveTranscriptOffset>[2];

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
    return getTranscriptOffset(this.scope + file);
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
  async saveWithin(tx: Transaction, file: string, state: OffsetState) {
    this.latest.delete(file);
    await saveTranscriptOffset(this.scope + file, state, tx);
  }

  private async drain(file: string) {
    try {
      for (let state = this.latest.get(file); state; state = this.latest.get(file)) {
        await saveTranscriptOffset(this.scope + file, state);
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
