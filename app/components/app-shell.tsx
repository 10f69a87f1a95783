import { Form } from "@remix-run/react";
import { useCallback, useState, type ReactNode } from "react";
import { LiveIndicator } from "./live/live-provider";
import { CommandPalette, SearchButton, usePaletteShortcut } from "./shell/command-palette";
import { PhoneMenu } from "./shell/phone-menu";
import { ReconnectingBanner } from "./shell/reconnecting-banner";
import { Sidebar } from "./shell/sidebar";

export interface ShellProps {
  user: { displayName: string; username: string };
  org: { id: string; name: string };
  role: string;
  orgs: Array<{ id: string; name: string; role: string }>;
  children: ReactNode;
}

function OrgSwitcher({ org, orgs }: Pick<ShellProps, "org" | "orgs">) {
  return (
    <Form method="post" action="/orgs/switch" className="flex min-w-0 items-center gap-2">
      <label htmlFor="org-switcher" className="sr-only">
        Organization
      </label>
      <select
        id="org-switcher"
        name="orgId"
        defaultValue={org.id}
        key={org.id}
        className="min-w-0 max-w-[8.5rem] rounded-md border border-border bg-panel-2 px-2 py-1 text-sm sm:max-w-[16rem]"
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
  );
}

export function AppShell({ user, org, role, orgs, children }: ShellProps) {
  const [paletteOpen, setPaletteOpen] = useState(false);
  usePaletteShortcut(setPaletteOpen);
  const closePalette = useCallback(() => setPaletteOpen(false), []);
  return (
    <div className="min-h-screen md:grid md:grid-cols-[220px_1fr]">
      <aside className="hidden border-r border-border bg-panel md:block">
        <div className="flex h-14 items-center gap-2 border-b border-border px-4">
          <img src="/favicon.svg" alt="" className="h-6 w-6" />
          <span className="font-semibold tracking-tight">Mission Control</span>
        </div>
        <Sidebar />
      </aside>
      <div className="flex min-w-0 flex-col">
        {/* no backdrop-filter here: it would make the phone drawer's fixed box relative to the header */}
        <header className="sticky top-0 z-30 flex h-14 items-center gap-2 border-b border-border bg-bg px-3 sm:gap-3 sm:px-4" data-app-header>
          <PhoneMenu />
          <OrgSwitcher org={org} orgs={orgs} />
          <SearchButton onOpen={() => setPaletteOpen(true)} />
          <div className="ml-auto flex items-center gap-3 text-sm">
            <LiveIndicator />
            <span className="hidden text-muted lg:inline" title={`Signed in as ${user.username}`}>
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
      <ReconnectingBanner />
      <CommandPalette open={paletteOpen} onClose={closePalette} />
    </div>
  );
}
