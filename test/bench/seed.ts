import { createSession } from "~/auth/session.server";
import { transaction } from "~/db/data-source.server";
import { AGENT_ROLES, TASK_PRIORITIES, TASK_STATUSES, type Agent } from "~/db/entities";
import type { Actor } from "~/models/activity.server";
import { createAgent } from "~/models/agent.server";
import { createApiToken } from "~/models/api-token.server";
import { getDefaultBoard } from "~/models/board.server";
import { createFirstOwner } from "~/models/organization.server";
import { ensureTags } from "~/models/tag.server";
import { createTask } from "~/models/task.server";

export const TAG_NAMES = ["backend", "frontend", "infra", "docs", "bug", "feature", "research", "ops", "security", "perf", "ux", "data"];

export interface Seeded {
  orgId: string;
  boardId: string;
  agents: Agent[];
  /** `mc_…` API token of the org */
  apiToken: string;
  /** session token for the owner (the `mc_session` cookie value) */
  sessionToken: string;
  tasks: number;
  taskTags: number;
  assigned: number;
}

/** A small deterministic PRNG so every run seeds the same board. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The owner, an org with its default board, 10 agents, 12 tags and `taskCount` tasks on the board
 * (0-3 tags each, ~80% assigned), all through the app's own models.
 */
export async function seedBoard({ taskCount, concurrency = 8 }: { taskCount: number; concurrency?: number }): Promise<Seeded> {
  const first = await createFirstOwner({ username: "bench-owner", password: "bench password 123", orgName: "Bench org" });
  if (!first) throw new Error("The bench database already has users; it must start empty.");
  const { user, org } = first;
  const actor: Actor = { type: "user", id: user.id, name: user.displayName };
  const board = await getDefaultBoard(org.id);
  if (!board) throw new Error("createFirstOwner made no default board");

  const agents: Agent[] = [];
  for (let i = 0; i < 10; i++) {
    agents.push(await createAgent({ orgId: org.id, name: `agent-${i}`, role: AGENT_ROLES[i % AGENT_ROLES.length]!, status: "online", actor }));
  }
  // Tags first, in one transaction: concurrent createTask calls then only find existing rows.
  await transaction((manager) => ensureTags(manager, org.id, TAG_NAMES));

  const random = mulberry32(42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const inputs = Array.from({ length: taskCount }, (_, i) => {
    const tags = new Set<string>();
    const tagCount = Math.floor(random() * 4);
    while (tags.size < tagCount) tags.add(pick(TAG_NAMES));
    return {
      boardId: board.id,
      title: `Task ${i + 1}: ${pick(["fix", "build", "review", "document", "measure"])} the ${pick(["parser", "queue", "login", "board", "office"])}`,
      description: `Benchmark task number ${i + 1}. `.repeat(4),
      status: pick(TASK_STATUSES),
      priority: pick(TASK_PRIORITIES),
      assigneeAgentId: random() < 0.8 ? pick(agents).id : null,
      tags: Array.from(tags),
    };
  });

  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < inputs.length) {
        const input = inputs[next++]!;
        await createTask({ orgId: org.id, input, actor });
      }
    }),
  );

  const { token: apiToken } = await createApiToken({ orgId: org.id, name: "bench", actor });
  const { token: sessionToken } = await createSession({ userId: user.id, activeOrgId: org.id });
  return {
    orgId: org.id,
    boardId: board.id,
    agents,
    apiToken,
    sessionToken,
    tasks: inputs.length,
    taskTags: inputs.reduce((sum, input) => sum + input.tags.length, 0),
    assigned: inputs.filter((input) => input.assigneeAgentId).length,
  };
}
