import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { parseForm } from "~/lib/forms.server";
import { requireOrg } from "~/auth/guards.server";
import { formatAgo } from "~/components/activity/relative-time";
import { GatewayStateBadge, gatewayAdvice } from "~/components/gateways/gateway-state";
import { TranscriptFolderField } from "~/components/gateways/transcript-folder-field";
import type { LiveHandle } from "~/components/live/live-provider";
import { Button, FormError, TextField } from "~/components/ui/form";
import { Card, Flash } from "~/components/ui/layout";
import { testGatewayConnection } from "~/ingest/test-connection.server";
import { DomainError } from "~/lib/http.server";
import { GatewaySchema } from "~/lib/schemas";
import { transcriptRoot } from "~/lib/transcript-folder.server";
import { dispatchIntent, requireOrgRow } from "~/lib/ui-route.server";
import { listGatewayAgents } from "~/models/agent.server";
import { deleteGateway, getGateway, openGatewayToken, toApiGateway, updateGateway } from "~/models/gateway.server";
import { listDailyUsage, listSnapshotTimes } from "~/models/gateway-snapshot.server";
import { roleAtLeast } from "~/models/organization.server";
import { topic } from "~/lib/topics";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  const gateway = await requireOrgRow(org, params, "gatewayId", getGateway);
  const [snapshots, daily, agents] = await Promise.all([listSnapshotTimes(gateway.id), listDailyUsage(gateway.id, { days: 14 }), listGatewayAgents({ orgId: org.id, gatewayId: gateway.id })]);
  return {
    gateway: toApiGateway(gateway),
    snapshots: snapshots.map((s) => ({ kind: s.kind, takenAt: s.takenAt.getTime() })),
    usage: daily,
    agents: agents.map((a) => ({ id: a.id, name: a.name, status: a.status })),
    canManage: roleAtLeast(role, "admin"),
    transcriptRoot: roleAtLeast(role, "admin") ? transcriptRoot() : null,
    now: Date.now(),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireOrg(request, "admin");
  const gateway = await requireOrgRow(org, params, "gatewayId", getGateway);
  return dispatchIntent(await request.formData(), {
    test: async () => {
      const result = await testGatewayConnection({ url: gateway.url, token: openGatewayToken(gateway) });
      return data({ intent: "test" as const, test: { ok: result.ok, message: result.message, state: result.state }, result: null });
    },
    delete: async () => {
      await deleteGateway({ orgId: org.id, id: gateway.id, actor });
      throw redirect("/gateways");
    },
    update: async (formData) => {
      const intent = "update" as const;
      const submission = parseForm(formData, { schema: GatewaySchema });
      if (submission.status !== "success") return data({ intent, test: null, result: submission.reply({ hideFields: ["token"] }) }, { status: 400 });
      const { name, url, token, pollIntervalSeconds, clearToken, transcriptDir } = submission.value;
      try {
        await updateGateway({
          orgId: org.id,
          id: gateway.id,
          input: { name, url, pollIntervalSeconds, token: clearToken ? null : token ? token : undefined,
            // the field is only offered where transcript folders are allowed; elsewhere the setting stays
            transcriptDir: transcriptRoot() ? (transcriptDir ?? null) : undefined },
          actor,
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const errors = error.field ? { fieldErrors: { [error.field]: [error.message] } } : { formErrors: [error.message] };
        return data({ intent, test: null, result: submission.reply({ hideFields: ["token"], ...errors }) }, { status: error.status });
      }
      return data({ intent, test: null, result: submission.reply({ hideFields: ["token"] }) });
    },
  });
}

export const handle: LiveHandle = {
  liveTopics: (data) => {
    const gateway = (data as { gateway?: { id: string } } | undefined)?.gateway;
    return gateway ? [topic.gateway(gateway.id), topic.agents] : [];
  },
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.gateway.name ?? "Gateway"} · Mission Control` }];

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="text-sm">{children}</dd>
    </div>
  );
}

export default function GatewayPage() {
  const { gateway, snapshots, usage, agents, canManage, transcriptRoot, now } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const testing = navigation.formData?.get("intent") === "test";
  const [form, fields] = useForm({
    id: `gateway-${gateway.id}`,
    lastResult: actionData?.intent === "update" ? actionData.result : undefined,
    defaultValue: { name: gateway.name, url: gateway.url, pollIntervalSeconds: String(gateway.pollIntervalSeconds), transcriptDir: gateway.transcriptDir ?? "" },
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: GatewaySchema }),
  });
  const advice = gatewayAdvice(gateway.state, gateway.pairing);
  const seen = (at: number | null) => formatAgo(at, now, "never");

  return (
    <div className="mx-auto max-w-5xl space-y-6">
      <div>
        <p className="text-sm">
          <Link to="/gateways" className="text-accent">
            Gateways
          </Link>
        </p>
        <div className="mt-1 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">{gateway.name}</h1>
          <GatewayStateBadge state={gateway.state} />
        </div>
        <p className="mt-1 font-mono text-xs text-muted">{gateway.url}</p>
      </div>

      {advice ? <div className="rounded-lg border border-warn/40 bg-warn/10 px-4 py-3 text-sm">{advice}</div> : null}
      {gateway.lastError && gateway.state !== "online" ? <p className="text-sm text-danger">Last error: {gateway.lastError}</p> : null}

      <Card title="Connection">
        <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4">
          <Fact label="Version">{gateway.serverVersion ?? "—"}</Fact>
          <Fact label="Latency">{gateway.latencyMs !== null ? `${gateway.latencyMs} ms` : "—"}</Fact>
          <Fact label="Last seen">{seen(gateway.lastSeenAt)}</Fact>
          <Fact label="Token">{gateway.tokenSet ? "set" : "not set"}</Fact>
          <Fact label="Device id">
            <span className="break-all font-mono text-xs">{gateway.deviceId ?? "—"}</span>
          </Fact>
          <Fact label="Polling">every {gateway.pollIntervalSeconds} s</Fact>
          <Fact label="Last poll">{gateway.lastPollAt ? seen(gateway.lastPollAt) : "not yet"}</Fact>
          <Fact label="Transcripts">{gateway.transcriptDir ? <span className="break-all font-mono text-xs">{gateway.transcriptDir}</span> : "from the gateway"}</Fact>
          <Fact label="Poll problems">{gateway.lastPollError ? <span className="text-danger">{gateway.lastPollError}</span> : "none"}</Fact>
        </dl>
        {canManage ? (
          <Form method="post" className="mt-4 flex flex-wrap items-center gap-3">
            <input type="hidden" name="intent" value="test" />
            <Button type="submit" variant="secondary" disabled={testing}>
              {testing ? "Testing… (up to 10 s)" : "Test connection"}
            </Button>
            {actionData?.test ? (
              <span role="status" className={`text-sm ${actionData.test.ok ? "text-ok" : "text-danger"}`}>
                {actionData.test.message}
              </span>
            ) : null}
          </Form>
        ) : null}
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card title={`Agents (${agents.length})`}>
          {agents.length === 0 ? (
            <p className="text-sm text-muted">No agents discovered yet: they appear once the gateway is online.</p>
          ) : (
            <ul className="space-y-1 text-sm">
              {agents.map((agent) => (
                <li key={agent.id} className="flex justify-between">
                  <Link to={`/agents/${agent.id}`} className="hover:text-accent">
                    {agent.name}
                  </Link>
                  <span className="text-muted">{agent.status}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Latest snapshots">
          {snapshots.length === 0 ? (
            <p className="text-sm text-muted">Nothing polled yet.</p>
          ) : (
            <ul className="space-y-1 text-sm">
              {snapshots.map((snapshot) => (
                <li key={snapshot.kind} className="flex justify-between" data-snapshot={snapshot.kind}>
                  <span className="font-mono text-xs">{snapshot.kind}</span>
                  <span className="text-muted">{seen(snapshot.takenAt)}</span>
                </li>
              ))}
            </ul>
          )}
          {usage.length > 0 ? (
            <p className="mt-3 text-xs text-muted">
              Usage over the last {usage.length} days: {usage.reduce((sum, day) => sum + day.totalTokens, 0).toLocaleString()} tokens, $
              {usage.reduce((sum, day) => sum + day.totalCost, 0).toFixed(4)}
            </p>
          ) : null}
        </Card>
      </div>

      {canManage ? (
        <Card title="Edit">
          {actionData?.intent === "update" && actionData.result?.status === "success" ? <Flash>Saved. The connection restarts with the new settings.</Flash> : null}
          <Form method="post" {...getFormProps(form)} className="space-y-3">
            <input type="hidden" name="intent" value="update" />
            <FormError errors={form.errors} />
            <TextField label="Name" field={fields.name} />
            <TextField label="WebSocket URL" field={fields.url} />
            <TextField
              label="New token"
              field={fields.token}
              type="password"
              autoComplete="off"
              hint={gateway.tokenSet ? "A token is set. Leave empty to keep it." : "No token is set."}
            />
            {gateway.tokenSet ? (
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="clearToken" /> Remove the stored token
              </label>
            ) : null}
            <TextField label="Poll every (seconds)" field={fields.pollIntervalSeconds} type="number" min={5} max={3600} />
            <TranscriptFolderField field={fields.transcriptDir} root={transcriptRoot} current={gateway.transcriptDir} />
            <Button type="submit">Save</Button>
          </Form>
          <Form
            method="post"
            className="mt-6 border-t border-border pt-4"
            onSubmit={(e) => !confirm(`Remove the gateway "${gateway.name}"? Its agents stay, marked offline.`) && e.preventDefault()}
          >
            <input type="hidden" name="intent" value="delete" />
            <Button type="submit" variant="danger">
              Remove gateway
            </Button>
          </Form>
        </Card>
      ) : null}
    </div>
  );
}

export { ErrorBoundary } from "~/components/route-error";
