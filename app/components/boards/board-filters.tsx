import { FilterForm, FilterSelect } from "~/components/ui/filter-select";
import { PRIORITY_LABELS, TASK_PRIORITIES } from "~/lib/constants";

export interface BoardFilterValues {
  agent?: string;
  tag?: string;
  priority?: string;
}

export function BoardFilters({
  filter,
  agents,
  tags,
}: {
  filter: BoardFilterValues;
  agents: Array<{ id: string; name: string }>;
  tags: Array<{ id: string; name: string }>;
}) {
  return (
    <FilterForm label="Filter tasks" active={Boolean(filter.agent || filter.tag || filter.priority)} clearTo="?" className="mb-4">
      <FilterSelect label="Agent" name="agent" value={filter.agent ?? ""} allLabel="All agents" options={agents.map((a) => ({ value: a.id, label: a.name }))} />
      <FilterSelect label="Tag" name="tag" value={filter.tag ?? ""} allLabel="All tags" options={tags.map((t) => ({ value: t.id, label: t.name }))} />
      <FilterSelect label="Priority" name="priority" value={filter.priority ?? ""} allLabel="Any priority" options={TASK_PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABELS[p] }))} />
    </FilterForm>
  );
}
