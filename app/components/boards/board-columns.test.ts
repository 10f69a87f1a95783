import { describe, expect, it } from "vitest";
import { boardColumnsView } from "./board-columns";
import type { KanbanTask } from "./kanban";

const task = (id: string, status: KanbanTask["status"], position: number) => ({
  id,
  title: id,
  status,
  priority: "medium" as const,
  position,
  assigneeAgentId: null,
  dueDate: null,
  tags: [],
  description: "not shown on a card",
});

const empty = { tasks: [], total: 0 };
const limits = { backlog: 50, todo: 2, "in-progress": 50, review: 1000, done: 50 };

describe("boardColumnsView", () => {
  const view = boardColumnsView(
    {
      backlog: empty,
      todo: { tasks: [task("a", "todo", 1), task("b", "todo", 2), task("c", "todo", 3)], total: 180 },
      "in-progress": { tasks: [task("d", "in-progress", 1)], total: 1 },
      review: { tasks: [task("e", "review", 1)], total: 2000 },
      done: empty,
    },
    limits,
    (status, limit) => `?show.${status}=${limit}`,
  );

  it("keeps the cards within each limit, with only the fields a card shows", () => {
    expect(view.tasks.map((t) => t.id)).toEqual(["a", "b", "d", "e"]);
    expect(view.tasks[0]).not.toHaveProperty("description");
  });

  it("names the first hidden card and links to the next step, counting what is left", () => {
    expect(view.columns.todo).toEqual({ total: 180, firstHidden: "c", more: { href: "?show.todo=52", count: 50 } });
    expect(view.columns["in-progress"]).toEqual({ total: 1, firstHidden: null, more: null });
    expect(view.columns.backlog).toEqual({ total: 0, firstHidden: null, more: null });
  });

  it("offers no more at the 1,000-card ceiling, and sums the totals", () => {
    expect(view.columns.review.more).toBeNull();
    expect(view.matchingTotal).toBe(2181);
  });
});
