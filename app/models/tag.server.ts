import type { EntityManager } from "typeorm";
import { db, transaction } from "~/db/data-source.server";
import type { Tag } from "~/db/entities";
import { TAG_PALETTE } from "~/lib/constants";
import { DomainError } from "~/lib/http.server";
import { recordActivity, type Actor } from "./activity.server";
import { assertVersion, claimRowVersion, StaleVersionError } from "./row-version.server";
import * as queries from "./tag.queries.server";

export function listTags(orgId: string): Promise<Tag[]> {
  return queries.listTags(db().manager, orgId);
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
  await queries.insertMissingTags(
    manager,
    unique.map((name) => ({ orgId, name, color: paletteColor(name) })),
  );
  return queries.findTagsByName(manager, orgId, unique);
}

export async function createTag({ orgId, name, color, actor }: { orgId: string; name: string; color: string; actor: Actor }) {
  return transaction(async (manager) => {
    if (await queries.nameTaken(manager, { orgId, name })) throw new DomainError(409, "tag_exists", `A tag called "${name}" already exists.`, "name");
    const tag = await queries.insertTag(manager, { orgId, name: name.trim(), color });
    await recordActivity(manager, { orgId, type: "tag_created", message: `${actor.name} created the tag ${tag.name}`, actor, data: { tagId: tag.id } });
    return tag;
  });
}

/**
 * Renames and/or recolours a tag: only the fields given are written. With `expectedVersion`, a tag
 * edited meanwhile is refused (StaleVersionError carrying the stored tag, ADR 017); a change that
 * changes nothing writes nothing and keeps the version.
 */
export async function updateTag({
  orgId,
  tagId,
  changes,
  actor,
  expectedVersion,
}: {
  orgId: string;
  tagId: string;
  changes: Partial<Pick<Tag, "name" | "color">>;
  actor: Actor;
  expectedVersion?: number;
}): Promise<Tag> {
  return transaction(async (manager) => {
    const tag = await queries.findTag(manager, { orgId, id: tagId }, { lock: true });
    if (!tag) throw new DomainError(404, "not_found", "That tag does not exist.");
    assertVersion("tag", tag, expectedVersion, () => ({ ...tag }));
    const name = changes.name?.trim();
    const next: Partial<Pick<Tag, "name" | "color">> = {};
    if (name !== undefined && name !== tag.name) next.name = name;
    if (changes.color !== undefined && changes.color !== tag.color) next.color = changes.color;
    if (Object.keys(next).length === 0) return tag;
    if (next.name !== undefined && (await queries.nameTaken(manager, { orgId, name: next.name, exceptId: tagId }))) {
      throw new DomainError(409, "tag_exists", `A tag called "${next.name}" already exists.`, "name");
    }
    const stored = { ...tag };
    const version = await claimRowVersion(manager, "tags", { orgId, id: tagId, expected: expectedVersion ?? null });
    if (version === null) throw new StaleVersionError("tag", stored);
    await queries.updateTag(manager, tagId, next);
    Object.assign(tag, next, { version });
    await recordActivity(manager, { orgId, type: "tag_updated", message: `${actor.name} updated the tag ${tag.name}`, actor, data: { tagId } });
    return tag;
  });
}

export async function deleteTag({ orgId, tagId, actor }: { orgId: string; tagId: string; actor: Actor }) {
  return transaction(async (manager) => {
    const tag = await queries.findTag(manager, { orgId, id: tagId });
    if (!tag) throw new DomainError(404, "not_found", "That tag does not exist.");
    await queries.deleteTag(manager, tagId);
    await recordActivity(manager, { orgId, type: "tag_deleted", message: `${actor.name} deleted the tag ${tag.name}`, actor, data: { tagId } });
  });
}

/** How many tasks carry each tag of the org, keyed by tag id (tags on no task are absent). */
export async function countTagUsage(orgId: string): Promise<Record<string, number>> {
  const rows = await queries.countUsage(db().manager, orgId);
  return Object.fromEntries(rows.map((row) => [row.tagId, row.count]));
}
