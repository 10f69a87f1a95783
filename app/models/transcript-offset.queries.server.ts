import { z } from "zod";
import { rowDecoder, type Queryable } from "~/db/rows";

/* Every statement on `transcript_offsets`: how far the tailer has read each transcript file. */

export interface TranscriptOffset {
  /** bytes read and recorded */
  offset: number;
  /** the file's inode and size then: another inode, or a smaller size, means the file was replaced or cut */
  inode: number;
  size: number;
}

const offsetRow = rowDecoder(
  "transcript_offsets: by file",
  z.object({ offset: z.number().int(), inode: z.number().int(), size: z.number().int() }) satisfies z.ZodType<TranscriptOffset>,
);

export async function findOffset(q: Queryable, file: string): Promise<TranscriptOffset | null> {
  return offsetRow.first(
    await q.query(`select byte_offset::float8 as "offset", inode::float8 as inode, size::float8 as size from transcript_offsets where file = $1`, [file]),
  );
}

export async function upsertOffset(q: Queryable, file: string, state: TranscriptOffset): Promise<void> {
  await q.query(
    `insert into transcript_offsets (file, byte_offset, inode, size, updated_at) values ($1, $2, $3, $4, now())
     on conflict (file) do update set byte_offset = excluded.byte_offset, inode = excluded.inode, size = excluded.size, updated_at = now()`,
    [file, state.offset, state.inode, state.size],
  );
}
