import { NavLink } from "@remix-run/react";

export interface SettingsTab {
  to: string;
  label: string;
}

/** Plain links, so the tabs work before (and without) JavaScript; they wrap on narrow phones. */
export function SettingsTabs({ tabs }: { tabs: SettingsTab[] }) {
  return (
    <nav aria-label="Settings" className="mb-6 border-b border-border">
      <ul className="-mb-px flex flex-wrap">
        {tabs.map((tab) => (
          <li key={tab.to}>
            <NavLink
              to={tab.to}
              prefetch="intent"
              className={({ isActive }) =>
                `block border-b-2 px-2.5 py-2 text-sm transition sm:px-3 ${
                  isActive ? "border-accent font-medium text-fg" : "border-transparent text-muted hover:border-border hover:text-fg"
                }`
              }
            >
              {tab.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
