import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ArrowLeft, ArrowRight } from "lucide-react";
import { requireOrg } from "~/auth/guards.server";
import { ActivityLines } from "~/components/activity/activity-feed";
import { RelativeTime } from "~/components/activity/relative-time";
import { AgentAvatar } from "~/components/agents/agent-avatar";
import { AgentErrorBoundary } from "~/components/agents/agent-error";
import { AgentFields } from "~/components/agents/agent-fields";
import { AgentStatusBadge } from "~/components/agents/agent-status-badge";
import { EditBaseInputs, EditConflict, useEditBase, useSettledResult } from "~/components/ui/edit-base";
import { Button, FormError, TextField } from "~/components/ui/form";
import { Card, Flash } from "~/components/ui/layout";
import { parseForm, replyWithError } from "~/lib/forms.server";
import type { Agent } from "~/db/entities";
import { baseVersionOf, changedFields, conflictReply, quoted, savedReply, type FieldChange } from "~/lib/edit-conflict";
import { AgentEditSchema } from "~/lib/schemas";
import { budgetFormValue, formatUsd } from "~/lib/budget";
import { StaleVersionError } from "~/models/row-version.server";
import { dispatchIntent, requireOrgRow } from "~/lib/ui-route.server";
import { pageActivityFeed } from "~/models/activity-feed.server";
import { deleteAgent, getAgent, updateAgent } from "~/models/agent.server";
import { gatewayLabels, gatewayNameOf } from "~/lib/gateway-label";
import { listGateways } from "~/models/gateway.server";
import { roleAtLeast } from "~/models/organization.server";
import type { LiveHandle } from "~/components/live/live-provider";
import { topic } from "~/lib/topics";

const AGENT_FIELDS = ["name", "role", "status", "avatarColor", "monthlyBudgetUsd"] as const;
type AgentField = (typeof AGENT_FIELDS)[number];

/** The edit form's value of each field for a stored agent (what the form shows). */
function agentFormValues(agent: Pick<Agent, AgentField>): Record<AgentField, string> {
  return { name: agent.name, role: agent.role, status: agent.status, avatarColor: agent.avatarColor, monthlyBudgetUsd: budgetFormValue(agent.monthlyBudgetUsd) };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  const agent = await requireOrgRow(org, params, "agentId", getAgent);
  const [feed, gateways] = await Promise.all([pageActivityFeed({ orgId: org.id, agentId: agent.id, limit: 10 }), listGateways(org.id)]);
  // where several gateways exist, the page says which one this agent runs on (three may be called "main")
  const gatewayName = gatewayNameOf(agent.gatewayId, gatewayLabels(gateways));
  return {
    now: Date.now(),
    canEdit: roleAtLeast(role, "member"),
    agent: {
      id: agent.id,
      name: agent.name,
      role: agent.role,
      status: agent.status,
      avatarColor: agent.avatarColor,
      monthlyBudgetUsd: agent.monthlyBudgetUsd,
      version: agent.version,
      source: agent.source,
      gateway: gatewayName && agent.gatewayId ? { id: agent.gatewayId, name: gatewayName } : null,
      lastActiveAt: agent.lastActiveAt.toISOString(),
      createdAt: agent.createdAt.toISOString(),
    },
    events: feed.entries,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireOrg(request, "member");
  const agent = await requireOrgRow(org, params, "agentId", getAgent);
  return dispatchIntent(await request.formData(), {
    delete: async () => {
      await deleteAgent({ orgId: org.id, id: agent.id, actor });
      throw redirect(`/agents?deleted=${encodeURIComponent(agent.name)}`);
    },
    update: async (formData) => {
      const submission = parseForm(formData, { schema: AgentEditSchema });
      if (submission.status !== "success") return data({ result: submission.reply(), saved: false }, { status: 400 });
      // only what the person changed is written (ADR 017)
      const changed = changedFields(formData, AGENT_FIELDS);
      const value = { ...submission.value, monthlyBudgetUsd: submission.value.monthlyBudgetUsd ?? null };
      try {
        await updateAgent({ orgId: org.id, id: agent.id, changes: Object.fromEntries(changed.map((f) => [f, value[f]])), actor, expectedVersion: baseVersionOf(formData) });
      } catch (error) {
        if (error instanceof StaleVersionError) {
          const stored = error.current as Agent;
          const describe = (field: AgentField): FieldChange => {
            if (field === "avatarColor") return { label: "colour", shown: stored.avatarColor };
            if (field === "monthlyBudgetUsd") return { label: "monthly budget", shown: stored.monthlyBudgetUsd === null ? "none" : formatUsd(stored.monthlyBudgetUsd) };
            return { label: field, shown: field === "name" ? quoted(stored.name) : stored[field] };
          };
          const result = conflictReply(submission.reply(), { what: "agent", formData, fields: AGENT_FIELDS, current: agentFormValues(stored), changed, describe });
          return data({ result, saved: false }, { status: 409 });
        }
        const failed = replyWithError(submission, error);
        return data({ result: failed.data, saved: false }, failed.init ?? undefined);
      }
      return data({ result: savedReply(submission), saved: true });
    },
  });
}

export const handle: LiveHandle = {
  liveTopics: (data) => {
    const agent = (data as { agent?: { id: string } } | undefined)?.agent;
    return agent ? [topic.agent(agent.id)] : [];
  },
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.agent.name ?? "Agent"} · Agents · Mission Control` }];

export default function AgentPage() {
  const { now, canEdit, agent, events } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const agentResult = useSettledResult(actionData?.result);
  const shown = agentFormValues(agent);
  const [form, fields] = useForm({
    id: `agent-${agent.id}`,
    lastResult: agentResult,
    defaultValue: shown,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: AgentEditSchema }),
  });
  const base = useEditBase({ formId: form.id, form, version: agent.version, values: shown, lastResult: agentResult });
  return (
    <div className="mx-auto max-w-4xl">
      <p className="mb-2 text-sm">
        <Link to="/agents" className="inline-flex items-center gap-1 text-muted hover:text-fg">
          <ArrowLeft aria-hidden className="h-4 w-4" /> All agents
        </Link>
      </p>
      <div className="mb-6 flex items-center gap-4">
        <AgentAvatar name={agent.name} color={agent.avatarColor} size="lg" />
        <div className="min-w-0">
          <h1 className="truncate text-2xl font-semibold tracking-tight">{agent.name}</h1>
          <p className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-muted">
            <AgentStatusBadge status={agent.status} />
            <span>
              {agent.role} ·{" "}
              {agent.gateway ? (
                <>
                  on the gateway{" "}
                  <Link to={`/gateways/${agent.gateway.id}`} className="text-accent hover:underline" data-testid="agent-gateway">
                    {agent.gateway.name}
                  </Link>
                </>
              ) : agent.source === "gateway" ? (
                "discovered from a gateway"
              ) : (
                "added by hand"
              )}{" "}
              · active <RelativeTime at={agent.lastActiveAt} now={now} />
            </span>
          </p>
        </div>
      </div>
      {actionData?.saved ? <Flash>Changes saved.</Flash> : null}
      <div className="grid items-start gap-4 md:grid-cols-[1.2fr_1fr]">
        {canEdit ? (
          <div className="space-y-4">
            <Card title="Edit agent">
              <Form method="post" {...getFormProps(form)} className="space-y-4">
                <input type="hidden" name="intent" value="update" />
                <EditBaseInputs base={base} />
                <EditConflict lastResult={agentResult} />
                <FormError errors={form.errors} />
                <AgentFields fields={fields} />
                <TextField
                  label="Monthly budget (USD)"
                  field={fields.monthlyBudgetUsd}
                  inputMode="decimal"
                  placeholder="No budget of its own"
                  autoComplete="off"
                  hint="This agent's spend per calendar month of the organization's time zone. Leave it empty for none."
                />
                {agent.source === "gateway" ? (
                  <p className="text-xs text-muted">This agent comes from a gateway; its status follows what the gateway reports.</p>
                ) : null}
                <div className="flex justify-end">
                  <Button type="submit" pendingLabel="Saving…">
                    Save changes
                  </Button>
                </div>
              </Form>
            </Card>
            <Card title="Danger zone">
              <details className="group">
                <summary className="cursor-pointer list-none text-sm text-danger marker:hidden">
                  <span className="underline-offset-2 group-open:underline">Delete this agent…</span>
                </summary>
                <Form method="post" className="mt-3 space-y-3 rounded-md border border-danger/40 bg-danger/10 p-3">
                  <input type="hidden" name="intent" value="delete" />
                  <p className="text-sm">
                    Delete <strong>{agent.name}</strong>? Tasks assigned to it become unassigned and its activity stays in the feed. This cannot be undone.
                  </p>
                  <Button type="submit" variant="danger">
                    Yes, delete {agent.name}
                  </Button>
                </Form>
              </details>
            </Card>
          </div>
        ) : (
          <Card title="Details">
            <dl className="space-y-3 text-sm">
              <div>
                <dt className="text-muted">Role</dt>
                <dd>{agent.role}</dd>
              </div>
              <div>
                <dt className="text-muted">Added</dt>
                <dd>{agent.createdAt.slice(0, 10)}</dd>
              </div>
            </dl>
            <p className="mt-3 text-xs text-muted">Viewers cannot change agents. Ask an admin for the member role.</p>
          </Card>
        )}
        <Card title="Recent activity" actions={<Link to={`/activity?agent=${agent.id}`} className="inline-flex items-center gap-1 text-xs text-accent">All <ArrowRight aria-hidden className="h-3.5 w-3.5" /></Link>}>
          {events.length === 0 ? (
            <p className="text-sm text-muted">Nothing recorded for this agent yet.</p>
          ) : (
            <ActivityLines events={events} now={now} />
          )}
        </Card>
      </div>
    </div>
  );
}

export const ErrorBoundary = AgentErrorBoundary;
