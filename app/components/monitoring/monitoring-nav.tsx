import { NavLink } from "@remix-run/react";

export const MONITORING_SECTIONS = [
  { key: "costs", title: "Costs" },
  { key: "sessions", title: "Sessions" },
  { key: "crons", title: "Crons" },
  { key: "system", title: "System" },
  { key: "logs", title: "Logs" },
] as const;

export function MonitoringNav() {
  return (
    <nav className="mb-4 flex flex-wrap gap-2 text-sm" aria-label="Monitoring">
      {MONITORING_SECTIONS.map((section) => (
        <NavLink
          key={section.key}
          to={`/monitoring/${section.key}`}
          className={({ isActive }) => `rounded-md px-3 py-1 ${isActive ? "bg-accent/15 text-fg" : "text-muted hover:text-fg"}`}
        >
          {section.title}
        </NavLink>
      ))}
    </nav>
  );
}
