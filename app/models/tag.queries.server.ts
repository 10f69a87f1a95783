import { z } from "zod";
import { TagEntity, type Tag } from "~/db/entities";
import { col, rowDecoder, type Queryable } from "~/db/rows";

/* Every statement on `tags` (the organization's catalog; task_tags links them to tasks). */

export function listTags(q: Queryable, orgId: string): Promise<Tag[]> {
  return q.getRepository(TagEntity).createQueryBuilder("t").where("t.org_id = :orgId", { orgId }).orderBy("lower(t.name)").getMany();
}

/** `lock`: hold the row for the rest of the transaction (an edit's read-check-write). */
export function findTag(q: Queryable, { orgId, id }: { orgId: string; id: string }, { lock = false } = {}): Promise<Tag | null> {
  return q.getRepository(TagEntity).findOne({ where: { orgId, id }, ...(lock ? { lock: { mode: "pessimistic_write" as const } } : {}) });
}

/** A tag of that name (ignoring case) other than `exceptId`. */
export function nameTaken(q: Queryable, { orgId, name, exceptId }: { orgId: string; name: string; exceptId?: string }): Promise<boolean> {
  const query = q.getRepository(TagEntity).createQueryBuilder("t").where("t.org_id = :orgId and lower(t.name) = lower(:name)", { orgId, name });
  if (exceptId) query.andWhere("t.id <> :exceptId", { exceptId });
  return query.getExists();
}

/** Inserts the names that are not in the catalog yet (a racing insert of the same name is ignored). */
export async function insertMissingTags(q: Queryable, tags: Array<Pick<Tag, "orgId" | "name" | "color">>): Promise<void> {
  await q.createQueryBuilder().insert().into(TagEntity).values(tags).orIgnore().execute();
}

/** By names, ignoring case. */
export function findTagsByName(q: Queryable, orgId: string, names: string[]): Promise<Tag[]> {
  return q
    .getRepository(TagEntity)
    .createQueryBuilder("t")
    .where("t.org_id = :orgId and lower(t.name) in (:...names)", { orgId, names: names.map((n) => n.toLowerCase()) })
    .getMany();
}

export function insertTag(q: Queryable, tag: Pick<Tag, "orgId" | "name" | "color">): Promise<Tag> {
  const repo = q.getRepository(TagEntity);
  return repo.save(repo.create(tag));
}

export async function updateTag(q: Queryable, id: string, change: Partial<Pick<Tag, "name" | "color">>): Promise<void> {
  await q.getRepository(TagEntity).update({ id }, change);
}

export async function deleteTag(q: Queryable, id: string): Promise<void> {
  await q.getRepository(TagEntity).delete({ id });
}

const usageRow = rowDecoder("tags: usage counts", z.object({ tagId: col.uuid, count: col.int }));

/** How many tasks carry each tag of the org (tags on no task are absent). */
export async function countUsage(q: Queryable, orgId: string): Promise<Array<{ tagId: string; count: number }>> {
  return usageRow.all(
    await q.query(
      `select tt.tag_id as "tagId", count(*)::int as count
         from task_tags tt join tags t on t.id = tt.tag_id
        where t.org_id = $1
        group by tt.tag_id`,
      [orgId],
    ),
  );
}
