import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { db, transaction } from "~/db/data-source.server";
import { AGENT_ROLES } from "~/db/entities";
import { createAgent } from "~/models/agent.server";
import { listAgentSessions, upsertSessionRows } from "~/models/agent-session.server";
import { createApiToken } from "~/models/api-token.server";
import { createBoardGroup, getDefaultBoard } from "~/models/board.server";
import { createGateway } from "~/models/gateway.server";
import { acceptInvite, createInvite } from "~/models/organization.server";
import { createTag } from "~/models/tag.server";
import { createTask } from "~/models/task.server";
import { createUser } from "~/models/user.server";
import { ownerWithOrg } from "./fixtures";
import { settle } from "./requests";
import { exampleFor } from "./sweep";

/*
 * The tables and helpers the route-wide probes share (test/integration/route-isolation.test.ts,
 * route-roles.test.ts): which params and form fields name a row, one seeded row of every kind in
 * an organization, a route's answer as status + text, and a snapshot of everything an
 * organization owns, to prove a refused probe changed nothing.
 */

export const ROUTES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../app/routes");
/** Every string that names a row of org A, and the marker in every name A's rows carry. */
export const MARK = "ALPHA-PRIVATE";
export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Route params that name a row, and which of A's rows stands in for them. */
export const PARAM_ROWS: Record<string, keyof Fixtures> = {
  boardId: "board",
  taskId: "task",
  agentId: "agent",
  gatewayId: "gateway",
  sessionId: "session",
};

/** Page routes whose params are not a row id: why each needs no cross-organization probe of its param. */
export const PARAMS_NOT_IDS: Record<string, string> = {
  "invite.$token.tsx": "the param is an invite secret, not an org row id: an invite is how one joins another org on purpose (organization.server.test.ts)",
  "_app.monitoring.$section.tsx": "the param is one of a fixed list of section names; the page's data is the signed-in org's (its loader is still checked for A's data below)",
};

/** Form fields that carry a row id, filled with A's row (or a fresh uuid for the control request). */
export const BODY_ID_FIELDS: Record<string, keyof Fixtures> = {
  taskId: "task",
  boardId: "board",
  groupId: "group",
  agentId: "agent",
  assigneeAgentId: "agent",
  gatewayId: "gateway",
  sessionId: "session",
  tagId: "tag",
  tokenId: "token",
  inviteId: "invite",
  userId: "member",
  orgId: "org",
};

/** Plausible values for the other fields, so a probe reaches the model rather than stopping at the schema. */
export const OTHER_FIELDS = (salt: number): Record<string, string> => ({
  title: `Probe-${salt}`,
  name: `Probe-${salt}`,
  description: "",
  status: "done",
  priority: "low",
  role: "viewer",
  color: "#336699",
  url: `ws://127.0.0.1:${9000 + salt}`,
  pollIntervalSeconds: "30",
  tags: "",
});
let salt = 0;

export interface Fixtures {
  org: string;
  board: string;
  task: string;
  agent: string;
  gateway: string;
  session: string;
  tag: string;
  token: string;
  invite: string;
  member: string;
  group: string;
}


export const pageFiles = () => readdirSync(ROUTES_DIR).filter((file) => /\.tsx?$/.test(file) && !file.startsWith("api."));
export const paramsOf = (file: string) => [...file.matchAll(/\$(\w+)/g)].map((match) => match[1]!);
/** ids, and the per-probe names and ports that keep two creates from colliding */
export const normalise = (text: string) => text.replace(UUID, "<id>").replace(/Probe-\d+/g, "Probe").replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")
    .replace(/\/invite\/[a-z0-9]+/g, "/invite/<secret>")
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>");
/** Body values the document's schemas do not give an example for (a nullable date is anyOf). */
const API_VALUES: Record<string, unknown> = { dueDate: "2026-12-31", url: "ws://127.0.0.1:9", token: "probe-token", transcriptDir: null };
export const apiValue = (name: string, schema: Record<string, unknown>) => (name in API_VALUES ? API_VALUES[name] : exampleFor(schema, {}));

export async function answerOf(work: () => Promise<unknown>): Promise<{ status: number; text: string }> {
  const result = await settle(work);
  if (result instanceof Response) return { status: result.status, text: await result.text() };
  const wrapped = result as { type?: string; data?: unknown; init?: { status?: number } | null };
  if (wrapped && wrapped.type === "DataWithResponseInit") return { status: wrapped.init?.status ?? 200, text: JSON.stringify(wrapped.data) };
  if (result instanceof Error) return { status: 500, text: `${result.name}: ${result.message}` };
  return { status: 200, text: JSON.stringify(result ?? null) };
}

/** Every row of the org, in every table with an org_id, plus its users: what no refused probe may change (a token's last use aside). */
export async function snapshotOfOrg(orgId: string): Promise<string> {
  const tables: Array<{ table_name: string }> = await db().query(
    "select table_name from information_schema.columns where table_schema = 'public' and column_name = 'org_id' order by 1",
  );
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows: Array<{ row: unknown }> = await db().query(`select to_jsonb(t) - 'last_used_at' as row from "${table_name}" t where org_id = $1 order by 1`, [orgId]);
    parts.push(`${table_name}:${JSON.stringify(rows.map((r) => r.row))}`);
  }
  const org: unknown[] = await db().query("select to_jsonb(o) as row from organizations o where id = $1", [orgId]);
  const users: unknown[] = await db().query("select to_jsonb(u) - 'last_login_at' as row from users u where id in (select user_id from memberships where org_id = $1) order by 1", [orgId]);
  return parts.join("\n") + JSON.stringify(org) + JSON.stringify(users);
}

export function formFor(intent: string | null, ids: (row: keyof Fixtures) => string, confirmName: string) {
  const form = new URLSearchParams(OTHER_FIELDS(++salt));
  if (intent !== null) form.set("intent", intent);
  for (const [field, row] of Object.entries(BODY_ID_FIELDS)) form.set(field, ids(row));
  // A's name, so a confirm-by-name form would act on A if it looked the name up across orgs
  form.set("confirmName", confirmName);
  return form;
}

/** Org A with one row of every kind, each named with MARK; its owner and one member. */
export async function seedOrgA() {
  const a = await ownerWithOrg("iso-a");
  const board = (await getDefaultBoard(a.org.id))!;
  const agent = await createAgent({ orgId: a.org.id, name: `${MARK} agent`, role: AGENT_ROLES[0], actor: a.actor });
  const gateway = await createGateway({ orgId: a.org.id, input: { name: `${MARK} gateway`, url: "ws://127.0.0.1:1", token: `${MARK}-gateway-token` }, actor: a.actor });
  const task = await createTask({ orgId: a.org.id, input: { title: `${MARK} task`, description: `${MARK} description`, assigneeAgentId: agent.id }, actor: a.actor });
  await upsertSessionRows({
    orgId: a.org.id,
    gatewayId: gateway.id,
    sessions: [{
      sessionKey: "agent:main:main", sessionId: null, externalAgentId: "main", type: "main", label: `${MARK} session`, model: null, parentSessionKey: null,
      contextTokens: null, totalTokens: null, inputTokens: null, outputTokens: null, costUsd: null, status: null, lastActivityAt: Date.now(), endedAt: null,
    }],
  });
  const sessionId = (await listAgentSessions(a.org.id))[0]!.id;
  const tag = await createTag({ orgId: a.org.id, name: `${MARK} tag`, color: "#336699", actor: a.actor });
  const { apiToken } = await createApiToken({ orgId: a.org.id, name: `${MARK} token`, actor: a.actor });
  const { invite } = await createInvite({ orgId: a.org.id, role: "viewer", actor: a.actor });
  const memberUser = await transaction((m) => createUser(m, { username: `iso-member-${randomUUID().slice(0, 6)}`, password: "member-password-1" }));
  const { token: joinToken } = await createInvite({ orgId: a.org.id, role: "member", actor: a.actor });
  await acceptInvite({ token: joinToken, user: memberUser });
  const group = await createBoardGroup({ orgId: a.org.id, name: `${MARK} group`, actor: a.actor });
  const rows: Fixtures = { org: a.org.id, board: board.id, task: task.id, agent: agent.id, gateway: gateway.id, session: sessionId, tag: tag.id, token: apiToken.id, invite: invite.id, member: memberUser.id, group: group.id };
  return { owner: a, rows };
}

