import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { requireOrg } from "~/auth/guards.server";
import { ComingSoon } from "~/components/coming-soon";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrg(request);
  return null;
}

export const meta: MetaFunction = () => [{ title: "Gateways · Mission Control" }];

export default function GatewaysPage() {
  return (
    <ComingSoon
      title="Gateways"
      summary="The OpenClaw gateways your agents run on."
      features={[
        "Add a gateway by URL and token (the token is encrypted at rest and never shown again)",
        "Live connection state, version, latency and last error; the device id to approve when pairing is required",
        "Agents discovered from each gateway and kept in sync; scheduled polling of health, sessions, costs and crons",
      ]}
      needs="Until then, agents can be added by hand under Agents, and agents can use the REST API with a token from Settings › API tokens."
    />
  );
}
