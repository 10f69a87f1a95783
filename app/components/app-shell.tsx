import { Form, NavLink } from "@remix-run/react";
import { useState, type ReactNode } from "react";
import { LiveIndicator } from "./live/live-provider";

export interface ShellProps {
  user: { displayName: string; username: string };
  org: { id: string; name: string };
  role: string;
  orgs: Array<{ id: string; name: string; role: string }>;
  children: ReactNode;
}

const NAV: Array<{ to: string; label: string; icon: string; children?: Array<{ to: string; label: string }> }> = [
  { to: "/", label: "Dashboard", icon: "◧" },
  { to: "/boards", label: "Boards", icon: "▦" },
  { to: "/agents", label: "Agents", icon: "☺" },
  { to: "/office", label: "Office", icon: "▣" },
  {
    to: "/monitoring/costs",
    label: "Monitoring",
    icon: "∿",
    children: [
      { to: "/monitoring/costs", label: "Costs" },
      { to: "/monitoring/sessions", label: "Sessions" },
      { to: "/monitoring/crons", label: "Crons" },
      { to: "/monitoring/system", label: "System" },
      { to: "/monitoring/logs", label: "Logs" },
    ],
  },
  { to: "/alerts", label: "Alerts", icon: "⚑" },
  { to: "/activity", label: "Activity", icon: "≡" },
  { to: "/gateways", label: "Gateways", icon: "⇄" },
  { to: "/settings", label: "Settings", icon: "⚙" },
];

const linkClass = ({ isActive }: { isActive: boolean }) =>
  `flex items-center gap-2 rounded-md px-3 py-2 text-sm transition ${isActive ? "bg-accent/15 text-fg font-medium" : "text-muted hover:bg-panel-2 hover:text-fg"}`;

function Sidebar({ onNavigate }: { onNavigate?: () => void }) {
  return (
    <nav aria-label="Main" className="flex flex-col gap-0.5 p-3">
      {NAV.map((item) => (
        <div key={item.to}>
          <NavLink to={item.to} end={item.to === "/"} className={linkClass} onClick={onNavigate}>
            <span aria-hidden className="w-4 text-center">
              {item.icon}
            </span>
            {item.label}
          </NavLink>
          {item.children ? (
            <div className="ml-6 flex flex-col border-l border-border pl-2">
              {item.children.map((child) => (
                <NavLink
                  key={child.to}
                  to={child.to}
                  onClick={onNavigate}
                  className={({ isActive }) => `rounded px-2 py-1 text-xs ${isActive ? "text-fg" : "text-muted hover:text-fg"}`}
                >
                  {child.label}
                </NavLink>
              ))}
            </div>
          ) : null}
        </div>
      ))}
    </nav>
  );
}

export function AppShell({ user, org, role, orgs, children }: ShellProps) {
  const [open, setOpen] = useState(false);
  return (
    <div className="min-h-screen md:grid md:grid-cols-[220px_1fr]">
      <aside className="hidden border-r border-border bg-panel md:block">
        <div className="flex h-14 items-center gap-2 border-b border-border px-4">
          <img src="/favicon.svg" alt="" className="h-6 w-6" />
          <span className="font-semibold tracking-tight">Mission Control</span>
        </div>
        <Sidebar />
      </aside>
      {open ? (
        <div className="fixed inset-0 z-40 md:hidden" role="dialog" aria-label="Navigation">
          <button className="absolute inset-0 bg-black/60" aria-label="Close navigation" onClick={() => setOpen(false)} />
          <aside className="absolute inset-y-0 left-0 w-64 overflow-y-auto border-r border-border bg-panel">
            <Sidebar onNavigate={() => setOpen(false)} />
          </aside>
        </div>
      ) : null}
      <div className="flex min-w-0 flex-col">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-3 border-b border-border bg-bg/90 px-4 backdrop-blur">
          <button
            type="button"
            className="rounded-md border border-border px-2 py-1 text-sm md:hidden"
            aria-label="Open navigation"
            onClick={() => setOpen(true)}
          >
            ☰
          </button>
          <Form method="post" action="/orgs/switch" className="flex items-center gap-2">
            <label htmlFor="org-switcher" className="sr-only">
              Organization
            </label>
            <select
              id="org-switcher"
              name="orgId"
              defaultValue={org.id}
              key={org.id}
              className="max-w-[9.5rem] rounded-md border border-border bg-panel-2 px-2 py-1 text-sm sm:max-w-[16rem]"
              onChange={(event) => event.currentTarget.form?.requestSubmit()}
            >
              {orgs.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name} ({o.role})
                </option>
              ))}
            </select>
            <noscript>
              <button type="submit" className="rounded-md border border-border px-2 py-1 text-xs">
                Switch
              </button>
            </noscript>
          </Form>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <LiveIndicator />
            <span className="hidden text-muted sm:inline" title={`Signed in as ${user.username}`}>
              {user.displayName} · <span className="capitalize">{role}</span>
            </span>
            <Form method="post" action="/logout">
              <button type="submit" className="whitespace-nowrap rounded-md border border-border px-2 py-1 text-xs text-muted hover:text-fg">
                Sign out
              </button>
            </Form>
          </div>
        </header>
        <main className="min-w-0 flex-1 p-4 md:p-6">{children}</main>
      </div>
    </div>
  );
}
