import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { requireOrg } from "~/auth/guards.server";
import { MonitoringNav } from "~/components/monitoring/monitoring-nav";
import { SoonChip } from "~/components/shell/sidebar";
import { PageHeader } from "~/components/ui/layout";
import { MONITORING_PAGES } from "~/lib/pages";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrg(request);
  return null;
}

export const meta: MetaFunction = () => [{ title: "Monitoring · Mission Control" }];

/** What monitoring holds: the built section first-class, the planned ones saying what they will show. */
export default function MonitoringOverview() {
  return (
    <>
      <MonitoringNav />
      <PageHeader title="Monitoring" description="How your agents and gateways are doing. Sessions is live; the other sections are on the way." />
      <ul className="grid max-w-4xl gap-3 sm:grid-cols-2" aria-label="Monitoring sections">
        {MONITORING_PAGES.map((page) => (
          <li key={page.to}>
            <Link
              to={page.to}
              className={`flex h-full flex-col gap-1 rounded-lg border bg-panel p-4 transition hover:border-accent ${page.soon ? "border-dashed border-border" : "border-accent/50"}`}
            >
              <span className="flex items-center gap-2 font-medium">
                {page.label}
                {page.soon ? <SoonChip /> : <span data-live-chip className="ml-auto rounded-full bg-ok/15 px-1.5 py-px text-[10px] font-semibold uppercase tracking-wide text-ok">Live</span>}
              </span>
              <span className="text-sm text-muted">{page.summary}</span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

export { ErrorBoundary } from "~/components/route-error";
