/** Enumerations shared by the browser and the server (no server imports here). */
export const ROLES = ["owner", "admin", "member", "viewer"] as const;
export const TASK_STATUSES = ["backlog", "todo", "in-progress", "review", "done"] as const;
export const TASK_PRIORITIES = ["low", "medium", "high", "critical"] as const;
export const AGENT_ROLES = ["Main", "Dev", "Research", "Ops"] as const;
export const AGENT_STATUSES = ["online", "offline", "busy"] as const;
/** the cards a board column shows before "Show more", and the most it shows at all */
export const BOARD_COLUMN_PAGE = 50;
export const BOARD_COLUMN_MAX = 1000;
/** who did something (activity_events.actor_type) */
export const ACTOR_TYPES = ["user", "token", "system", "agent"] as const;
/** a gateway connection's state as stored and answered by the API */
export const GATEWAY_STATES = ["connecting", "online", "offline", "unauthorized", "pairing-required", "protocol-mismatch"] as const;

export const STATUS_LABELS: Record<(typeof TASK_STATUSES)[number], string> = {
  backlog: "Backlog",
  todo: "To do",
  "in-progress": "In progress",
  review: "Review",
  done: "Done",
};

export const PRIORITY_LABELS: Record<(typeof TASK_PRIORITIES)[number], string> = {
  low: "Low",
  medium: "Medium",
  high: "High",
  critical: "Critical",
};

export const TAG_PALETTE = ["#3b82f6", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6", "#f97316", "#64748b", "#84cc16"];

/** How a task's fields are named in sentences (activity lines, "priority is now Low"). */
export const TASK_FIELD_NAMES = {
  boardId: "board",
  title: "title",
  description: "description",
  status: "status",
  priority: "priority",
  assigneeAgentId: "assignee",
  dueDate: "due date",
  tags: "tags",
} as const;
