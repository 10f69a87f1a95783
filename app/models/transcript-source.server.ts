import { db } from "~/db/data-source.server";
import { OrganizationEntity } from "~/db/entities";
import type { Queryable } from "~/db/rows";
import { isUuid } from "~/lib/http.server";
import { findOffset, upsertOffset, type TranscriptOffset } from "./transcript-offset.queries.server";

export type { TranscriptOffset } from "./transcript-offset.queries.server";

/*
 * What the transcript tailer keeps in the database: how far it has read each file, so a restart
 * or a takeover by another process neither replays nor loses records, and which organization the
 * legacy folder (OPENCLAW_STATE_DIR) feeds.
 */

export function getTranscriptOffset(file: string): Promise<TranscriptOffset | null> {
  return findOffset(db().manager, file);
}

/** `tx`: the transaction that records the events the offset ends at (saved with them, exactly once). */
export function saveTranscriptOffset(file: string, state: TranscriptOffset, tx: Queryable = db().manager): Promise<void> {
  return upsertOffset(tx, file, state);
}

/** The organization named by `hint` (its id or slug), else the first one created; null before there is any. */
export async function transcriptOrganization(hint: string | undefined): Promise<string | null> {
  const repo = db().getRepository(OrganizationEntity);
  if (!hint) return (await repo.find({ order: { createdAt: "ASC" }, take: 1 }))[0]?.id ?? null;
  const org = (isUuid(hint) ? await repo.findOneBy({ id: hint }) : null) ?? (await repo.findOneBy({ slug: hint }));
  return org?.id ?? null;
}
