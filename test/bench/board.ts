import { db } from "~/db/data-source.server";
import { TagEntity, TaskEntity, TaskTagEntity, type Tag, type Task } from "~/db/entities";

/**
 * The baseline for the board loader: what the ORM invites you to write. Load the board's task rows
 * with repository.find(), then ask for each task's tags one query at a time (the N+1 pattern).
 * listTasks() in app/models/task.server.ts does the same work in one query.
 */
export async function naiveBoardTasks({ orgId, boardId }: { orgId: string; boardId: string }) {
  const tasks = await db()
    .getRepository(TaskEntity)
    .find({ where: { orgId, boardId }, order: { status: "ASC", position: "ASC", createdAt: "ASC" } });
  const tags = db().getRepository(TagEntity);
  const result: Array<Task & { tags: Tag[] }> = [];
  for (const task of tasks) {
    const taskTags = await tags
      .createQueryBuilder("g")
      .innerJoin(TaskTagEntity.options.name, "tt", "tt.tagId = g.id")
      .where("tt.taskId = :taskId", { taskId: task.id })
      .orderBy("lower(g.name)")
      .getMany();
    result.push({ ...task, tags: taskTags });
  }
  return result;
}
