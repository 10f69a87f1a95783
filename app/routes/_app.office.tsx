import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { requireOrg } from "~/auth/guards.server";
import { ComingSoon } from "~/components/coming-soon";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOrg(request);
  return null;
}

export const meta: MetaFunction = () => [{ title: "Office · Mission Control" }];

export default function OfficePage() {
  return (
    <ComingSoon
      title="Office"
      summary="A pixel-art office where every agent is a sprite showing what it is doing right now."
      features={[
        "One sprite per agent: typing, reading, walking, waiting or stalled, chosen from the tool it is using",
        "Activity bubbles with the current task or tool, conversation heat, sub-agents beside their parent",
        "Pan, zoom and follow; click an agent for details or to spawn a sub-agent",
        "A server rack that shows live host health, day and night from your time zone",
      ]}
      needs="It needs a connected OpenClaw gateway (Gateways)."
    />
  );
}
