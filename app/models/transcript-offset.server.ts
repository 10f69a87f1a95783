import { db } from "~/db/data-source.server";
import type { Queryable } from "~/db/rows";
import { findOffset, upsertOffset, type TranscriptOffset } from "./transcript-offset.queries.server";

export type { TranscriptOffset } from "./transcript-offset.queries.server";

/*
 * What the transcript tailer keeps in the database: how far it has read each file, so a restart
 * or a takeover by another process neither replays nor loses records.
 */

export function getTranscriptOffset(file: string): Promise<TranscriptOffset | null> {
  return findOffset(db().manager, file);
}

/** `tx`: the transaction that records the events the offset ends at (saved with them, exactly once). */
export function saveTranscriptOffset(file: string, state: TranscriptOffset, tx: Queryable = db().manager): Promise<void> {
  return upsertOffset(tx, file, state);
}
