import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { MonitoringNav } from "~/components/monitoring/monitoring-nav";
import { requireOrg } from "~/auth/guards.server";
import { ComingSoon } from "~/components/coming-soon";
import { notFound } from "~/lib/http.server";

const SECTIONS = {
  costs: {
    title: "Costs",
    summary: "What your agents cost: today, this month, all time and a projection for the month.",
    features: ["Per-model and per-agent breakdowns for 7 days, 30 days and all time", "A daily trend chart and a token table (input, output, cache)"],
  },
  crons: {
    title: "Crons",
    summary: "Scheduled agent runs.",
    features: ["Schedule, last and next run, duration, status and a flapping badge", "Run now, add, edit, enable, disable and delete through the gateway"],
  },
  system: {
    title: "System",
    summary: "Host and gateway health.",
    features: ["CPU, memory, swap, disk, network and GPU with warning thresholds", "Gateway uptime, memory, event loop and version"],
  },
  logs: {
    title: "Logs",
    summary: "The gateway's log and its errors.",
    features: ["A live log tail with level and source filters", "Errors grouped by message"],
  },
} as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOrg(request);
  // own keys only: "constructor" is `in` every object
  if (!params.section || !Object.hasOwn(SECTIONS, params.section)) notFound("There is no such monitoring page.");
  return { section: params.section as keyof typeof SECTIONS };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data ? SECTIONS[data.section].title : "Monitoring"} · Mission Control` },
];

export default function MonitoringPage() {
  const { section } = useLoaderData<typeof loader>();
  const page = SECTIONS[section];
  return (
    <>
      <MonitoringNav />
      <ComingSoon title={page.title} summary={page.summary} features={[...page.features]} needs="Monitoring needs a connected OpenClaw gateway (Gateways)." />
    </>
  );
}

export { ErrorBoundary } from "~/components/route-error";
