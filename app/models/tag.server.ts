import type { EntityManager } from "typeorm";
import { db, transaction } from "~/db/data-source.server";
import { TagEntity, type Tag } from "~/db/entities";
import { TAG_PALETTE } from "~/lib/constants";
import { DomainError } from "~/lib/http.server";
import { recordActivity, type Actor } from "./activity.server";

export function listTags(orgId: string): Promise<Tag[]> {
  return db().getRepository(TagEntity).createQueryBuilder("t").where("t.org_id = :orgId", { orgId }).orderBy("lower(t.name)").getMany();
}

function paletteColor(name: string) {
  let hash = 0;
  for (const char of name.toLowerCase()) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return TAG_PALETTE[hash % TAG_PALETTE.length]!;
}

/** Tags by name (case-insensitive), creating missing ones in the org catalog with a stable colour. */
export async function ensureTags(manager: EntityManager, orgId: string, names: string[]): Promise<Tag[]> {
  if (names.length === 0) return [];
  // The first spelling of a name wins ("backend, Backend" is one tag called "backend").
  const byKey = new Map<string, string>();
  for (const name of names) if (!byKey.has(name.trim().toLowerCase())) byKey.set(name.trim().toLowerCase(), name.trim());
  const unique = Array.from(byKey.values());
  await manager
    .createQueryBuilder()
    .insert()
    .into(TagEntity)
    .values(unique.map((name) => ({ orgId, name, color: paletteColor(name) })))
    .orIgnore()
    .execute();
  return manager
    .getRepository(TagEntity)
    .createQueryBuilder("t")
    .where("t.org_id = :orgId and lower(t.name) in (:...names)", { orgId, names: unique.map((n) => n.toLowerCase()) })
    .getMany();
}

export async function createTag({ orgId, name, color, actor }: { orgId: string; name: string; color: string; actor: Actor }) {
  return transaction(async (manager) => {
    const repo = manager.getRepository(TagEntity);
    const exists = await repo.createQueryBuilder("t").where("t.org_id = :orgId and lower(t.name) = lower(:name)", { orgId, name }).getExists();
    if (exists) throw new DomainError(409, "tag_exists", `A tag called "${name}" already exists.`, "name");
    const tag = await repo.save(repo.create({ orgId, name: name.trim(), color }));
    await recordActivity(manager, { orgId, type: "tag_created", message: `${actor.name} created the tag ${tag.name}`, actor, data: { tagId: tag.id } });
    return tag;
  });
}

export async function updateTag({ orgId, tagId, name, color, actor }: { orgId: string; tagId: string; name: string; color: string; actor: Actor }) {
  return transaction(async (manager) => {
    const repo = manager.getRepository(TagEntity);
    const tag = await repo.findOneBy({ orgId, id: tagId });
    if (!tag) throw new DomainError(404, "not_found", "That tag does not exist.");
    const clash = await repo
      .createQueryBuilder("t")
      .where("t.org_id = :orgId and lower(t.name) = lower(:name) and t.id <> :tagId", { orgId, name, tagId })
      .getExists();
    if (clash) throw new DomainError(409, "tag_exists", `A tag called "${name}" already exists.`, "name");
    await repo.update({ id: tagId }, { name: name.trim(), color });
    await recordActivity(manager, { orgId, type: "tag_updated", message: `${actor.name} updated the tag ${name}`, actor, data: { tagId } });
  });
}

export async function deleteTag({ orgId, tagId, actor }: { orgId: string; tagId: string; actor: Actor }) {
  return transaction(async (manager) => {
    const repo = manager.getRepository(TagEntity);
    const tag = await repo.findOneBy({ orgId, id: tagId });
    if (!tag) throw new DomainError(404, "not_found", "That tag does not exist.");
    await repo.delete({ id: tagId });
    await recordActivity(manager, { orgId, type: "tag_deleted", message: `${actor.name} deleted the tag ${tag.name}`, actor, data: { tagId } });
  });
}

/** How many tasks carry each tag of the org, keyed by tag id (tags on no task are absent). */
export async function countTagUsage(orgId: string): Promise<Record<string, number>> {
  const rows: Array<{ tag_id: string; count: string }> = await db().query(
    `select tt.tag_id, count(*) as count
       from task_tags tt join tags t on t.id = tt.tag_id
      where t.org_id = $1
      group by tt.tag_id`,
    [orgId],
  );
  return Object.fromEntries(rows.map((row) => [row.tag_id, Number(row.count)]));
}
