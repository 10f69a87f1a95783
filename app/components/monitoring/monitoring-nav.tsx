import { NavLink } from "@remix-run/react";
import { MONITORING_PAGES } from "~/lib/pages";

const SECTIONS = [{ to: "/monitoring", label: "Overview", soon: false }, ...MONITORING_PAGES];

export function MonitoringNav() {
  return (
    <nav className="mb-4 flex flex-wrap gap-2 text-sm" aria-label="Monitoring">
      {SECTIONS.map((section) => (
        <NavLink
          key={section.to}
          to={section.to}
          end={section.to === "/monitoring"}
          className={({ isActive }) => `rounded-md px-3 py-1 ${isActive ? "bg-accent/15 text-fg" : section.soon ? "text-muted/70 hover:text-fg" : "text-muted hover:text-fg"}`}
        >
          {section.label}
        </NavLink>
      ))}
    </nav>
  );
}
