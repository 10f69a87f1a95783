import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { requireOrg } from "~/auth/guards.server";
import { ComingSoon } from "~/components/coming-soon";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrg(request);
  return null;
}

export const meta: MetaFunction = () => [{ title: "Alerts · Mission Control" }];

export default function AlertsPage() {
  return (
    <ComingSoon
      title="Alerts"
      summary="Rules that watch costs, crons, context windows, gateways and hosts, and tell you when something needs you."
      features={[
        "Rules: daily cost above a limit, cron failed or flapping, context above a percentage, gateway offline, host metric above a limit, agent stalled",
        "Firing and resolved states with de-duplication, and a banner on every page while an alert fires",
        "Webhook receivers (signed JSON, Slack, Discord) with retries, a dead-letter list and a test button",
      ]}
    />
  );
}
