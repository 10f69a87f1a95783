/*
 * The app's pages as people find them: the sidebar draws this list, the command palette and
 * /search match against it. `soon` marks an area that renders its coming-soon page. Client-safe.
 */
export interface AppPage {
  to: string;
  label: string;
  /** one line on what the page shows (the monitoring overview, search results) */
  summary: string;
  /** planned, not built: the page says what it will offer */
  soon?: boolean;
  /** other words people type for it */
  keywords?: string[];
  children?: AppPage[];
}

export const MONITORING_PAGES: AppPage[] = [
  { to: "/monitoring/sessions", label: "Sessions", summary: "Every agent session your gateways report, live: model, tokens, cost and what it is doing now.", keywords: ["runs", "conversations"] },
  { to: "/monitoring/costs", label: "Costs", summary: "What your agents cost today, this month and all time, by model and by agent.", soon: true, keywords: ["spend", "usage", "tokens"] },
  { to: "/monitoring/crons", label: "Crons", summary: "Scheduled agent runs: last and next run, failures and flapping.", soon: true, keywords: ["schedule", "jobs"] },
  { to: "/monitoring/system", label: "System", summary: "Host and gateway health: CPU, memory, disk and gateway uptime.", soon: true, keywords: ["health", "host", "cpu"] },
  { to: "/monitoring/logs", label: "Logs", summary: "A live tail of the gateway's log, and its errors grouped.", soon: true, keywords: ["errors"] },
];

export const NAV_PAGES: AppPage[] = [
  { to: "/", label: "Dashboard", summary: "What is happening now: agents, tasks, gateways and the latest activity.", keywords: ["home", "overview"] },
  { to: "/boards", label: "Boards", summary: "Boards and their tasks.", keywords: ["kanban", "tasks"] },
  { to: "/agents", label: "Agents", summary: "Your agents, their state and their work.", keywords: ["bots"] },
  { to: "/office", label: "Office", summary: "A pixel office where every agent shows what it is doing.", soon: true },
  { to: "/monitoring", label: "Monitoring", summary: "Sessions, costs, crons, system and logs.", children: MONITORING_PAGES },
  { to: "/alerts", label: "Alerts", summary: "Rules that tell you when something needs you.", soon: true, keywords: ["notifications", "rules"] },
  { to: "/activity", label: "Activity", summary: "Every change, by people and agents.", keywords: ["feed", "history", "log"] },
  { to: "/gateways", label: "Gateways", summary: "Your OpenClaw gateways: state, figures and settings.", keywords: ["openclaw", "connections"] },
  { to: "/settings", label: "Settings", summary: "Organization, profile, members, tags and API tokens.", keywords: ["preferences"] },
];

/** Pages not in the sidebar that people still jump to. */
const OTHER_PAGES: AppPage[] = [
  { to: "/settings/profile", label: "Profile", summary: "Your display name, email and password.", keywords: ["settings", "account", "password"] },
  { to: "/settings/organization", label: "Organization settings", summary: "Rename or delete the organization.", keywords: ["settings"] },
  { to: "/settings/members", label: "Members", summary: "Who is in the organization, their roles and invite links.", keywords: ["settings", "users", "invite", "team"] },
  { to: "/settings/tags", label: "Tags", summary: "The organization's task tags.", keywords: ["settings", "labels"] },
  { to: "/settings/tokens", label: "API tokens", summary: "Tokens agents and scripts use for the REST API.", keywords: ["settings", "keys", "api"] },
  { to: "/search", label: "Search", summary: "Find any board, task, agent, session or page.", keywords: ["find"] },
];

/** Every page once, sidebar order first. */
export const ALL_PAGES: AppPage[] = [...NAV_PAGES.flatMap((page) => [page, ...(page.children ?? [])]), ...OTHER_PAGES];

/** Pages whose label, keywords or address contain every word of the query (case-insensitive). */
export function matchPages(query: string, limit = 5): AppPage[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  return ALL_PAGES.filter((page) => {
    const text = [page.label, page.to, ...(page.keywords ?? [])].join(" ").toLowerCase();
    return words.every((word) => text.includes(word));
  }).slice(0, limit);
}
