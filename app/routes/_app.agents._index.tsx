import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireOrg } from "~/auth/guards.server";
import { AgentErrorBoundary } from "~/components/agents/agent-error";
import { AgentList } from "~/components/agents/agent-list";
import { gatewayLabels, gatewayNameOf } from "~/lib/gateway-label";
import { listGateways } from "~/models/gateway.server";
import { CreateAgentForm } from "~/components/agents/create-agent-form";
import { Bot } from "lucide-react";
import { EmptyState, EmptyStateLink } from "~/components/ui/empty-state";
import { Card, Flash, PageHeader } from "~/components/ui/layout";
import { TAG_PALETTE } from "~/lib/constants";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { AgentSchema } from "~/lib/schemas";
import { createAgent, listAgents } from "~/models/agent.server";
import { roleAtLeast } from "~/models/organization.server";
import type { LiveHandle } from "~/components/live/live-provider";
import { topic } from "~/lib/topics";

export async function loader({ request }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  const [agents, gateways] = await Promise.all([listAgents(org.id), listGateways(org.id)]);
  const labels = gatewayLabels(gateways);
  return {
    now: Date.now(),
    canEdit: roleAtLeast(role, "member"),
    hasGateway: gateways.length > 0,
    agents: agents.map((a) => ({
      id: a.id,
      name: a.name,
      role: a.role,
      status: a.status,
      avatarColor: a.avatarColor,
      lastActiveAt: a.lastActiveAt.toISOString(),
      source: a.source,
      gatewayName: gatewayNameOf(a.gatewayId, labels),
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { org, actor } = await requireOrg(request, "member");
  const submission = parseForm(await request.formData(), { schema: AgentSchema });
  if (submission.status !== "success") return data({ result: submission.reply(), created: null }, { status: 400 });
  try {
    const agent = await createAgent({ orgId: org.id, ...submission.value, actor });
    return { result: submission.reply({ resetForm: true }), created: agent.name };
  } catch (error) {
    const failed = replyWithError(submission, error);
    return data({ result: failed.data, created: null }, failed.init ?? undefined);
  }
}

export const handle: LiveHandle = { liveTopics: () => [topic.agents] };

export const meta: MetaFunction = () => [{ title: "Agents · Mission Control" }];

export default function AgentsPage() {
  const { now, canEdit, agents, hasGateway } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const deleted = searchParams.get("deleted");
  const online = agents.filter((a) => a.status !== "offline").length;
  return (
    <>
      <PageHeader
        title="Agents"
        description={agents.length ? `${agents.length} agent${agents.length === 1 ? "" : "s"}, ${online} online or busy.` : "The AI agents working for this organization."}
      />
      {actionData?.created ? <Flash>Agent {actionData.created} added.</Flash> : null}
      {deleted ? <Flash>Agent {deleted} removed. Its tasks stay, now unassigned.</Flash> : null}
      <div className={canEdit ? "grid gap-6 lg:grid-cols-[1fr_20rem]" : undefined}>
        <section aria-label="Agent list" className="min-w-0">
          {agents.length === 0 ? (
            <EmptyState
              icon={Bot}
              title="No agents yet"
              action={hasGateway ? null : <EmptyStateLink to="/gateways">Connect a gateway</EmptyStateLink>}
            >
              {hasGateway
                ? "Your gateway has not reported any agents yet: they appear here on their own as soon as it does."
                : "Connect an OpenClaw gateway and Mission Control lists the agents running on it here on its own."}
              {canEdit ? " You can also add an agent by hand with the form beside this list, to assign tasks today." : null}
            </EmptyState>
          ) : (
            <AgentList agents={agents} now={now} canEdit={canEdit} />
          )}
        </section>
        {canEdit ? (
          <Card title="Add an agent" className="h-fit">
            <CreateAgentForm
              key={agents.length}
              // After a success the new key already gives a fresh form; only errors need replaying.
              lastResult={actionData?.created ? undefined : actionData?.result}
              defaultColor={TAG_PALETTE[agents.length % TAG_PALETTE.length]!}
            />
          </Card>
        ) : null}
      </div>
    </>
  );
}

export const ErrorBoundary = AgentErrorBoundary;
