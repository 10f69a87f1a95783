import { z } from "zod";
import { col, rowDecoder, type Queryable } from "~/db/rows";

/*
 * The search statements: one per kind, each scoped to one organization, each a case-insensitive
 * substring match (ILIKE with the caller's `%`, `_` and `\` escaped), names that start with the
 * query first. No trigram index: pg_trgm is not installed by our migrations (ADR 024).
 */

const hitRow = rowDecoder("search: hit", z.object({ id: col.uuid, title: col.text, detail: col.text }));
export type HitRow = ReturnType<typeof hitRow.one>;

/** `50%_off\` → `%50\%\_off\\%`: the query is matched as typed, anywhere in the text. */
export function containsPattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// $1 org, $2 pattern, $3 query (for "starts with" ranking), $4 limit; sessions rank by recency instead
const RANK = (column: string) => `starts_with(lower(${column}), lower($3)) desc, length(${column}), lower(${column})`;

export async function selectBoardHits(q: Queryable, args: { orgId: string; query: string; limit: number }): Promise<HitRow[]> {
  return hitRow.all(
    await q.query(
      `select b.id, b.name as title, coalesce(g.name, '') as detail
         from boards b left join board_groups g on g.id = b.group_id and g.org_id = b.org_id
        where b.org_id = $1 and b.name ilike $2 escape '\\'
        order by ${RANK("b.name")} limit $4`,
      [args.orgId, containsPattern(args.query), args.query, args.limit],
    ),
  );
}

const taskHitRow = rowDecoder("search: task hit", z.object({ id: col.uuid, title: col.text, board: col.text, status: col.text }));

/** A task's board and status as stored; the model words the status. */
export async function selectTaskHits(q: Queryable, args: { orgId: string; query: string; limit: number }): Promise<Array<ReturnType<typeof taskHitRow.one>>> {
  return taskHitRow.all(
    await q.query(
      `select t.id, t.title, b.name as board, t.status
         from tasks t join boards b on b.id = t.board_id and b.org_id = t.org_id
        where t.org_id = $1 and t.title ilike $2 escape '\\'
        order by ${RANK("t.title")} limit $4`,
      [args.orgId, containsPattern(args.query), args.query, args.limit],
    ),
  );
}

export async function selectAgentHits(q: Queryable, args: { orgId: string; query: string; limit: number }): Promise<HitRow[]> {
  return hitRow.all(
    await q.query(
      `select a.id, a.name as title, concat_ws(' · ', nullif(a.role, ''), gw.name) as detail
         from agents a left join gateways gw on gw.id = a.gateway_id and gw.org_id = a.org_id
        where a.org_id = $1 and (a.name ilike $2 escape '\\' or a.role ilike $2 escape '\\')
        order by ${RANK("a.name")} limit $4`,
      [args.orgId, containsPattern(args.query), args.query, args.limit],
    ),
  );
}

export async function selectSessionHits(q: Queryable, args: { orgId: string; query: string; limit: number }): Promise<HitRow[]> {
  return hitRow.all(
    await q.query(
      `select s.id, coalesce(nullif(s.label, ''), s.session_key) as title,
              concat_ws(' · ', coalesce(a.name, s.external_agent_id), case when s.ended_at is null then 'active' else 'ended' end) as detail
         from agent_sessions s left join agents a on a.id = s.agent_id and a.org_id = s.org_id
        where s.org_id = $1 and (s.label ilike $2 escape '\\' or s.session_key ilike $2 escape '\\' or a.name ilike $2 escape '\\')
        order by s.ended_at is not null, s.last_activity_at desc nulls last limit $3`,
      [args.orgId, containsPattern(args.query), args.limit],
    ),
  );
}
