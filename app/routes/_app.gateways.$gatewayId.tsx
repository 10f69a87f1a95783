import type { z } from "zod";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { parseForm } from "~/lib/forms.server";
import { requireOrg } from "~/auth/guards.server";
import { AgentList, GatewayFigures, SnapshotCards, stateLine, TestConnectionButton } from "~/components/gateways/gateway-detail";
import { GatewayStateBadge, duplicateAdvice, gatewayAdvice, shownGatewayState } from "~/components/gateways/gateway-state";
import { TranscriptFolderField } from "~/components/gateways/transcript-folder-field";
import type { LiveHandle } from "~/components/live/live-provider";
import { EditBaseInputs, EditConflict, useEditBase, useSettledResult } from "~/components/ui/edit-base";
import { Button, FormError, TextField } from "~/components/ui/form";
import { Card, Flash } from "~/components/ui/layout";
import { testGatewayConnection } from "~/ingest/test-connection.server";
import type { Gateway } from "~/db/entities";
import { baseVersionOf, changedFields, conflictReply, quoted, savedReply, type FieldChange } from "~/lib/edit-conflict";
import { DomainError, StaleVersionError } from "~/lib/http.server";
import { GatewaySchema } from "~/lib/schemas";
import { transcriptRoot } from "~/lib/transcript-folder.server";
import { dispatchIntent, requireOrgRow } from "~/lib/ui-route.server";
import { listGatewayAgents } from "~/models/agent.server";
import { deleteGateway, getGateway, openGatewayToken, requestGatewayRetry, seesGatewayDetails, toApiGateway, updateGateway } from "~/models/gateway.server";
import { gatewaySnapshotCards } from "~/models/gateway-snapshot.server";
import { roleAtLeast } from "~/models/organization.server";
import { topic } from "~/lib/topics";

const GATEWAY_FIELDS = ["name", "url", "pollIntervalSeconds", "transcriptDir"] as const;
type GatewayField = (typeof GATEWAY_FIELDS)[number];

/** The settings form's value of each field for a stored gateway (what the form shows; the token never). */
function gatewayFormValues(gateway: { name: string; url?: string | null; pollIntervalSeconds: number; transcriptDir?: string | null }): Record<GatewayField, string> {
  return { name: gateway.name, url: gateway.url ?? "", pollIntervalSeconds: String(gateway.pollIntervalSeconds), transcriptDir: gateway.transcriptDir ?? "" };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  const gateway = await requireOrgRow(org, params, "gatewayId", getGateway);
  const now = Date.now();
  const [cards, agents, original] = await Promise.all([
    gatewaySnapshotCards(gateway.id, { now }),
    listGatewayAgents({ orgId: org.id, gatewayId: gateway.id }),
    gateway.duplicateOf ? getGateway({ orgId: org.id, id: gateway.duplicateOf }) : null,
  ]);
  const canManage = roleAtLeast(role, "admin");
  return {
    gateway: toApiGateway(gateway, { detailed: seesGatewayDetails(role) }),
    version: gateway.version,
    cards,
    agents: agents.map((a) => ({ id: a.id, name: a.name, status: a.status })),
    original: original ? { id: original.id, name: original.name } : null,
    canManage,
    transcriptRoot: canManage ? transcriptRoot() : null,
    now,
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
    retry: async () => {
      try {
        await requestGatewayRetry({ orgId: org.id, id: gateway.id });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return data({ intent: "retry" as const, test: null, result: null, retry: error.message }, { status: error.status });
      }
      return data({ intent: "retry" as const, test: null, result: null, retry: "Asked the gateway's connection to try again now." });
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
      // only what the person changed is written (ADR 017); a typed token or "remove" always counts
      const changed = changedFields(formData, GATEWAY_FIELDS);
      const all = {
        name,
        url,
        pollIntervalSeconds,
        // the field is only offered where transcript folders are allowed; elsewhere the setting stays
        transcriptDir: transcriptRoot() ? (transcriptDir ?? null) : undefined,
      };
      try {
        await updateGateway({
          orgId: org.id,
          id: gateway.id,
          input: { ...Object.fromEntries(changed.map((f) => [f, all[f]])), token: clearToken ? null : token ? token : undefined },
          actor,
          expectedVersion: baseVersionOf(formData),
        });
      } catch (error) {
        if (error instanceof StaleVersionError) {
          const stored = error.current as Gateway;
          const describe = (field: GatewayField): FieldChange => {
            if (field === "pollIntervalSeconds") return { label: "the poll interval", shown: `${stored.pollIntervalSeconds} s` };
            if (field === "transcriptDir") return { label: "the transcript folder", shown: stored.transcriptDir ?? "none" };
            return { label: field === "url" ? "the URL" : "name", shown: quoted(stored[field]) };
          };
          const reply = conflictReply(submission.reply({ hideFields: ["token"] }), { what: "gateway", formData, fields: GATEWAY_FIELDS, current: gatewayFormValues(stored), changed, describe });
          return data({ intent, test: null, result: reply }, { status: 409 });
        }
        if (!(error instanceof DomainError)) throw error;
        const errors = error.field ? { fieldErrors: { [error.field]: [error.message] } } : { formErrors: [error.message] };
        return data({ intent, test: null, result: submission.reply({ hideFields: ["token"], ...errors }) }, { status: error.status });
      }
      return data({ intent, test: null, result: savedReply(submission) });
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

export default function GatewayPage() {
  const { gateway, version, cards, agents, original, canManage, transcriptRoot, now } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const updateResult = useSettledResult(actionData?.intent === "update" ? actionData.result : undefined);
  const shown = gatewayFormValues(gateway);
  const [form, fields] = useForm<z.input<typeof GatewaySchema>>({
    id: `gateway-${gateway.id}`,
    lastResult: updateResult,
    defaultValue: shown,
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: GatewaySchema }),
  });
  // a viewer's page has no form (nor the URL); the hook runs either way (hooks are unconditional)
  const base = useEditBase({ formId: form.id, form, version, values: shown, lastResult: updateResult });
  const online = gateway.state === "online";
  // one sentence about what is wrong, shown once: the gateway's own words for admins, advice for others
  const duplicate = gateway.duplicateOf !== null;
  const problem = !online && canManage && gateway.lastError && !duplicate ? gateway.lastError : null;
  // an unreachable gateway's own sentence already says what to check; other states add what to do
  const advice = duplicate
    ? duplicateAdvice(original, { canManage })
    : problem && gateway.state === "offline"
      ? null
      : gatewayAdvice(gateway.state, gateway.pairing, { canManage });
  const sessionCount = cards.find((card) => card.kind === "sessions")?.count ?? null;
  const tone = duplicate ? "border-border" : online ? "border-ok/40" : gateway.state === "connecting" ? "border-warn/40" : gateway.state === "pairing-required" ? "border-warn/50" : "border-danger/50";

  return (
    <div className="mx-auto max-w-6xl space-y-6">
      <div className="min-w-0">
        <p className="text-sm">
          <Link to="/gateways" className="text-accent">
            Gateways
          </Link>
        </p>
        <div className="mt-1 flex flex-wrap items-center gap-3">
          <h1 className="min-w-0 break-words text-2xl font-semibold tracking-tight">{gateway.name}</h1>
          <GatewayStateBadge state={shownGatewayState(gateway)} />
        </div>
        {gateway.url ? <p className="mt-1 break-all font-mono text-xs text-muted">{gateway.url}</p> : null}
      </div>

      <section className={`rounded-lg border bg-panel p-4 ${tone}`} aria-label="Connection">
        <div className="flex flex-col gap-4 lg:flex-row lg:items-start lg:justify-between">
          <div className="min-w-0 space-y-1">
            <p className="text-lg font-semibold" data-testid="gateway-state-line">
              {duplicate ? "Duplicate: not connected" : stateLine(gateway.state, gateway.stateSince, now)}
            </p>
            {problem ? (
              <p className="break-words text-sm text-danger" data-testid="gateway-problem">
                {problem}
              </p>
            ) : null}
            {advice ? <p className="break-words text-sm text-muted">{advice}</p> : null}
            {online && !advice ? <p className="text-sm text-muted">Connected; events arrive as they happen and polls run every {gateway.pollIntervalSeconds} s.</p> : null}
          </div>
        </div>
        <div className="mt-4">
          <GatewayFigures gateway={gateway} agents={agents.length} sessions={sessionCount} now={now} />
        </div>
        {canManage ? (
          <div className="mt-4 flex flex-wrap items-start justify-between gap-3 border-t border-border pt-4">
            <TestConnectionButton fallback={actionData?.intent === "test" ? actionData.test : null} shown={problem} />
            {!online ? (
              <Form method="post" className="flex flex-wrap items-center gap-2">
                <input type="hidden" name="intent" value="retry" />
                <Button type="submit" variant="secondary" title="Connect again now instead of waiting for the next attempt">
                  Retry now
                </Button>
                {actionData?.intent === "retry" && "retry" in actionData ? (
                  <span role="status" className="text-xs text-muted">
                    {actionData.retry}
                  </span>
                ) : null}
              </Form>
            ) : null}
            <Form
              method="post"
              onSubmit={(e) => !confirm(`Remove the gateway "${gateway.name}"? Its agents stay, marked offline.`) && e.preventDefault()}
            >
              <input type="hidden" name="intent" value="delete" />
              <Button type="submit" variant="danger">
                Remove gateway
              </Button>
            </Form>
          </div>
        ) : null}
      </section>

      <section aria-label="Snapshots" className="space-y-2">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 className="text-sm font-semibold uppercase tracking-wide text-muted">What the gateway reports</h2>
          {gateway.pollFailed ? (
            <p className="text-xs text-warn">{canManage && gateway.lastPollError ? `Last poll, in part: ${gateway.lastPollError}` : "Part of the last poll failed; the cards show the last answers."}</p>
          ) : null}
        </div>
        <SnapshotCards cards={cards} now={now} />
      </section>

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <Card title={`Agents (${agents.length})`}>
          <AgentList agents={agents} />
        </Card>

        {canManage ? (
          <Card title="Settings">
            {updateResult?.status === "success" ? <Flash>Saved. The connection restarts with the new settings.</Flash> : null}
            <Form method="post" {...getFormProps(form)} className="grid gap-3 sm:grid-cols-2">
              <input type="hidden" name="intent" value="update" />
              <EditBaseInputs base={base} />
              <div className="sm:col-span-2">
                <EditConflict lastResult={updateResult} />
                <FormError errors={form.errors} />
              </div>
              <TextField label="Name" field={fields.name} />
              <TextField label="Poll every (seconds)" field={fields.pollIntervalSeconds} type="number" min={5} max={3600} />
              <div className="sm:col-span-2">
                <TextField label="WebSocket URL" field={fields.url} hint="A URL on another host, port or scheme needs the token entered again: the stored token is only sent where it was stored." />
              </div>
              <div className="sm:col-span-2">
                <TextField
                  label="New token"
                  field={fields.token}
                  type="password"
                  autoComplete="off"
                  hint={gateway.tokenSet ? "A token is set. Leave empty to keep it (same host only)." : "No token is set."}
                />
                {gateway.tokenSet ? (
                  <label className="mt-2 flex items-center gap-2 text-sm">
                    <input type="checkbox" name="clearToken" /> Remove the stored token
                  </label>
                ) : null}
              </div>
              <div className="sm:col-span-2">
                <TranscriptFolderField field={fields.transcriptDir} root={transcriptRoot} current={gateway.transcriptDir ?? null} />
              </div>
              <div className="flex flex-wrap items-center justify-between gap-3 sm:col-span-2">
                <p className="min-w-0 break-all text-xs text-muted">
                  Device id <span className="font-mono">{gateway.deviceId ?? "not known yet"}</span>
                </p>
                <Button type="submit" pendingLabel="Saving…">
                  Save
                </Button>
              </div>
            </Form>
          </Card>
        ) : (
          <Card title="Settings">
            <p className="text-sm text-muted">Admins and owners of this organization see where this gateway is and change its settings.</p>
          </Card>
        )}
      </div>
    </div>
  );
}

export { ErrorBoundary } from "~/components/route-error";
