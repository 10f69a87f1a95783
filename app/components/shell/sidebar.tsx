import { NavLink } from "@remix-run/react";
import { Activity, Bell, Bot, Building2, Cable, KanbanSquare, LayoutDashboard, ScrollText, Settings, type LucideIcon } from "lucide-react";
import { NAV_PAGES, type AppPage } from "~/lib/pages";

const ICONS: Record<string, LucideIcon> = {
  "/": LayoutDashboard,
  "/boards": KanbanSquare,
  "/agents": Bot,
  "/office": Building2,
  "/monitoring": Activity,
  "/alerts": Bell,
  "/activity": ScrollText,
  "/gateways": Cable,
  "/settings": Settings,
};

/** Marks an area that is planned but not built; its link still opens the page saying what it will be. */
export function SoonChip() {
  return (
    <span data-soon className="ml-auto rounded-full border border-border px-1.5 py-px text-[10px] font-medium uppercase tracking-wide text-muted/80" title="Not built yet">
      Soon
    </span>
  );
}

const linkClass = (soon: boolean | undefined) => ({ isActive }: { isActive: boolean }) =>
  `flex items-center gap-2 rounded-md px-3 py-2 text-sm transition ${isActive ? "bg-accent/15 font-medium text-fg" : soon ? "text-muted/70 hover:bg-panel-2 hover:text-fg" : "text-muted hover:bg-panel-2 hover:text-fg"}`;

function ChildLink({ page }: { page: AppPage }) {
  return (
    <NavLink
      to={page.to}
      className={({ isActive }) => `flex items-center gap-2 rounded px-2 py-1 text-xs ${isActive ? "text-fg" : page.soon ? "text-muted/70 hover:text-fg" : "text-muted hover:text-fg"}`}
    >
      {page.label}
      {page.soon ? <SoonChip /> : null}
    </NavLink>
  );
}

export function Sidebar() {
  return (
    <nav aria-label="Main" className="flex flex-col gap-0.5 p-3">
      {NAV_PAGES.map((page) => {
        const Icon = ICONS[page.to] ?? LayoutDashboard;
        return (
          <div key={page.to}>
            <NavLink to={page.to} end={page.to === "/" || Boolean(page.children)} className={linkClass(page.soon)}>
              <Icon aria-hidden className="h-4 w-4 shrink-0" />
              {page.label}
              {page.soon ? <SoonChip /> : null}
            </NavLink>
            {page.children ? (
              <div className="ml-6 flex flex-col border-l border-border pl-2">
                {page.children.map((child) => (
                  <ChildLink key={child.to} page={child} />
                ))}
              </div>
            ) : null}
          </div>
        );
      })}
    </nav>
  );
}
