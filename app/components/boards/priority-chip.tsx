import { PRIORITY_LABELS } from "~/lib/constants";

type Priority = keyof typeof PRIORITY_LABELS;

export const PRIORITY_COLORS: Record<Priority, string> = {
  low: "#64748b",
  medium: "#3b82f6",
  high: "#f59e0b",
  critical: "#ef4444",
};

/** A task's priority as a word in its colour (never the colour alone), on cards and the task page. */
export function PriorityChip({ priority }: { priority: Priority }) {
  const color = PRIORITY_COLORS[priority];
  return (
    <span className="mc-priority" data-priority={priority} title={`${PRIORITY_LABELS[priority]} priority`} style={{ color, background: `${color}1f`, borderColor: `${color}66` }}>
      {PRIORITY_LABELS[priority]}
    </span>
  );
}
