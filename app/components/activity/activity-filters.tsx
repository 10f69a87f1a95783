import { Form, Link } from "@remix-run/react";
import { selectClass } from "~/components/ui/form";

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

/** A GET form: filtering is a navigation, so it works without JavaScript and the URL can be shared. */
export function ActivityFilters({
  values,
  types,
  agents,
}: {
  values: ActivityFilterValues;
  types: string[];
  agents: Array<{ id: string; name: string }>;
}) {
  const active = Boolean(values.type || values.actor || values.agent);
  return (
    <Form method="get" className="mb-4 grid grid-cols-1 gap-3 rounded-lg border border-border bg-panel p-3 sm:grid-cols-2 lg:grid-cols-[1fr_1fr_1fr_auto]">
      <div>
        <label htmlFor="filter-type" className="mb-1 block text-xs font-medium text-muted">
          Event type
        </label>
        <select id="filter-type" name="type" defaultValue={values.type} key={`type-${values.type}`} className={selectClass}>
          <option value="">All types</option>
          {types.map((type) => (
            <option key={type} value={type}>
              {typeLabel(type)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="filter-actor" className="mb-1 block text-xs font-medium text-muted">
          Done by
        </label>
        <select id="filter-actor" name="actor" defaultValue={values.actor} key={`actor-${values.actor}`} className={selectClass}>
          <option value="">Anyone</option>
          {Object.entries(ACTOR_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="filter-agent" className="mb-1 block text-xs font-medium text-muted">
          Agent
        </label>
        <select id="filter-agent" name="agent" defaultValue={values.agent} key={`agent-${values.agent}`} className={selectClass}>
          <option value="">Any agent</option>
          {agents.map((agent) => (
            <option key={agent.id} value={agent.id}>
              {agent.name}
            </option>
          ))}
        </select>
      </div>
      <div className="flex items-end gap-2">
        <button type="submit" className="rounded-md bg-accent px-3 py-2 text-sm font-medium text-accent-fg hover:brightness-110">
          Filter
        </button>
        {active ? (
          <Link to="/activity" className="px-2 py-2 text-sm text-muted hover:text-fg">
            Clear
          </Link>
        ) : null}
      </div>
    </Form>
  );
}
