import { Badge } from "~/components/ui/layout";
import { selectClass } from "~/components/ui/form";

export const ROLE_LABELS: Record<string, string> = { owner: "Owner", admin: "Admin", member: "Member", viewer: "Viewer" };

export const ROLE_HINTS: Record<string, string> = {
  owner: "everything, including owners and deleting the organization",
  admin: "members, invites, API tokens and gateways",
  member: "boards, tasks, agents and tags",
  viewer: "read-only",
};

export function RoleSelect({ id, name = "role", roles, defaultValue, label }: { id: string; name?: string; roles: readonly string[]; defaultValue?: string; label: string }) {
  return (
    <>
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <select id={id} name={name} defaultValue={defaultValue} className={`${selectClass} w-auto py-1`}>
        {roles.map((role) => (
          <option key={role} value={role}>
            {ROLE_LABELS[role] ?? role}
          </option>
        ))}
      </select>
    </>
  );
}

const ROLE_COLORS: Record<string, string> = { owner: "#6d8cff", admin: "#fbbf24", member: "#34d399", viewer: "#8f9abb" };

export function RoleBadge({ role }: { role: string }) {
  return <Badge color={ROLE_COLORS[role] ?? ROLE_COLORS.viewer}>{ROLE_LABELS[role] ?? role}</Badge>;
}

/** "2026-11-29 14:05 UTC": for deadlines, where "next week" is too vague. */
export function formatExact(at: string) {
  return new Date(at).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
