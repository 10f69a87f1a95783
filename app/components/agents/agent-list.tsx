import { Link } from "@remix-run/react";
import { RelativeTime } from "~/components/activity/relative-time";
import { AgentAvatar } from "./agent-avatar";
import { AgentStatusBadge } from "./agent-status-badge";

export interface AgentRowData {
  id: string;
  name: string;
  role: string;
  status: string;
  avatarColor: string;
  lastActiveAt: string;
  source: string;
  /** its gateway's name, where the organization has several */
  gatewayName?: string | null;
}

const SOURCE_LABELS: Record<string, string> = { manual: "Added by hand", gateway: "Gateway" };

/** "Gateway Home" where several gateways exist, so agents of the same name can be told apart. */
const sourceOf = (agent: AgentRowData) => (agent.gatewayName ? `Gateway ${agent.gatewayName}` : (SOURCE_LABELS[agent.source] ?? agent.source));

/** A table from md up, stacked cards below it; both link each agent to its edit page. */
export function AgentList({ agents, now, canEdit }: { agents: AgentRowData[]; now: number; canEdit: boolean }) {
  return (
    <>
      <ul className="space-y-2 md:hidden">
        {agents.map((agent) => (
          <li key={agent.id}>
            <Link to={`/agents/${agent.id}`} className="flex items-center gap-3 rounded-lg border border-border bg-panel p-3 transition hover:border-accent/60">
              <AgentAvatar name={agent.name} color={agent.avatarColor} />
              <div className="min-w-0 flex-1">
                <p className="truncate font-medium">{agent.name}</p>
                <p className="truncate text-xs text-muted">
                  {agent.role} · {sourceOf(agent)} · active <RelativeTime at={agent.lastActiveAt} now={now} />
                </p>
              </div>
              <AgentStatusBadge status={agent.status} />
            </Link>
          </li>
        ))}
      </ul>
      <div className="relative hidden overflow-hidden rounded-lg border border-border bg-panel md:block">
        <table className="w-full text-left text-sm">
          <thead className="bg-panel-2/60 text-xs uppercase tracking-wide text-muted">
            <tr>
              <th className="px-4 py-2 font-medium">Agent</th>
              <th className="px-3 py-2 font-medium">Role</th>
              <th className="px-3 py-2 font-medium">Status</th>
              <th className="px-3 py-2 font-medium">Last active</th>
              <th className="px-3 py-2 font-medium">Source</th>
              <th className="px-4 py-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-border">
            {agents.map((agent) => (
              <tr key={agent.id} className="hover:bg-panel-2/40">
                <td className="px-4 py-2.5">
                  <Link to={`/agents/${agent.id}`} className="flex items-center gap-2 font-medium hover:text-accent">
                    <AgentAvatar name={agent.name} color={agent.avatarColor} size="sm" />
                    {agent.name}
                  </Link>
                </td>
                <td className="px-3 py-2.5">{agent.role}</td>
                <td className="px-3 py-2.5">
                  <AgentStatusBadge status={agent.status} />
                </td>
                <td className="px-3 py-2.5 text-muted">
                  <RelativeTime at={agent.lastActiveAt} now={now} />
                </td>
                <td className="px-3 py-2.5 text-muted" data-testid="agent-source">{sourceOf(agent)}</td>
                <td className="px-4 py-2.5 text-right">
                  <Link to={`/agents/${agent.id}`} className="text-xs text-accent hover:underline">
                    {canEdit ? "Edit" : "View"}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
