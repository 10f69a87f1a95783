import { FilterForm, FilterSelect } from "~/components/ui/filter-select";

export interface ActivityFilterValues {
  type: string;
  actor: string;
  agent: string;
}

export const ACTOR_LABELS: Record<string, string> = { user: "People", token: "API tokens", system: "System", agent: "Agents" };

const WORDS: Record<string, string> = { api: "API", org: "organization" };

/** "task_created" → "Task created", "api_token_revoked" → "API token revoked" */
export function typeLabel(type: string) {
  const words = type
    .split(/[_.]+/)
    .filter(Boolean)
    .map((word) => WORDS[word] ?? word)
    .join(" ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Filtering is a navigation (a GET form), so it works without JavaScript and the URL can be shared. */
export function ActivityFilters({
  values,
  types,
  agents,
}: {
  values: ActivityFilterValues;
  types: string[];
  agents: Array<{ id: string; name: string }>;
}) {
  return (
    <FilterForm label="Filter activity" active={Boolean(values.type || values.actor || values.agent)} clearTo="/activity" className="mb-4 rounded-lg border border-border bg-panel p-3">
      <FilterSelect label="Event type" name="type" value={values.type} allLabel="All types" options={types.map((type) => ({ value: type, label: typeLabel(type) }))} />
      <FilterSelect label="Done by" name="actor" value={values.actor} allLabel="Anyone" options={Object.entries(ACTOR_LABELS).map(([value, label]) => ({ value, label }))} />
      <FilterSelect label="Agent" name="agent" value={values.agent} allLabel="Any agent" options={agents.map((agent) => ({ value: agent.id, label: agent.name }))} />
    </FilterForm>
  );
}
