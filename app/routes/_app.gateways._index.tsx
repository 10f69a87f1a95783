import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { requireOrg } from "~/auth/guards.server";
import { formatAgo } from "~/components/activity/relative-time";
import { GatewayStateBadge, duplicateAdvice, gatewayAdvice, shownGatewayState } from "~/components/gateways/gateway-state";
import { TranscriptFolderField } from "~/components/gateways/transcript-folder-field";
import type { LiveHandle } from "~/components/live/live-provider";
import { Button, FormError, TextField } from "~/components/ui/form";
import { Server } from "lucide-react";
import { EmptyState } from "~/components/ui/empty-state";
import { Card, PageHeader } from "~/components/ui/layout";
import { parseForm, replyWithError } from "~/lib/forms.server";
import { DomainError } from "~/lib/http.server";
import { GatewaySchema } from "~/lib/schemas";
import { transcriptRoot } from "~/lib/transcript-folder.server";
import { createGateway, listGateways, seesGatewayDetails, toApiGateway } from "~/models/gateway.server";
import { roleAtLeast } from "~/models/organization.server";
import { topic } from "~/lib/topics";

export async function loader({ request }: LoaderFunctionArgs) {
  const { org, role } = await requireOrg(request);
  const gateways = await listGateways(org.id);
  const canManage = roleAtLeast(role, "admin");
  const detailed = seesGatewayDetails(role);
  return { gateways: gateways.map((gateway) => toApiGateway(gateway, { detailed })), canManage, transcriptRoot: canManage ? transcriptRoot() : null, now: Date.now() };
}

export async function action({ request }: ActionFunctionArgs) {
  const { org, actor } = await requireOrg(request, "admin");
  const submission = parseForm(await request.formData(), { schema: GatewaySchema });
  if (submission.status !== "success") return data(submission.reply({ hideFields: ["token"] }), { status: 400 });
  const { name, url, token, pollIntervalSeconds, transcriptDir } = submission.value;
  let gateway;
  try {
    gateway = await createGateway({ orgId: org.id, input: { name, url, token: token || null, pollIntervalSeconds, transcriptDir: transcriptDir ?? null }, actor });
  } catch (error) {
    if (error instanceof DomainError && error.code === "gateway_exists") {
      const existing = error.details?.existingGateway as { id: string; name: string } | undefined;
      const link: { id: string; name: string } | null = existing ? { id: existing.id, name: existing.name } : null;
      // the form shows a link beside the sentence instead of the API's path in it
      const message = error.message.replace(/ \(\/gateways\/[^)]+\)/, "");
      return data({ ...submission.reply({ fieldErrors: { url: [message] }, hideFields: ["token"] }), existing: link }, { status: 409 });
    }
    return replyWithError(submission, error);
  }
  throw redirect(`/gateways/${gateway.id}`);
}

export const handle: LiveHandle = { liveTopics: () => [topic.gateways] };

export const meta: MetaFunction = () => [{ title: "Gateways · Mission Control" }];

export default function GatewaysPage() {
  const { gateways, canManage, transcriptRoot, now } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  // a 409 for a URL already registered names the gateway that has it
  // kept while the URL's error shows: a live revalidation clears the action data, not conform's errors
  const fromAction = (lastResult as { existing?: { id: string; name: string } | null } | undefined)?.existing ?? null;
  const [existing, setExisting] = useState(fromAction);
  if (fromAction && fromAction.id !== existing?.id) setExisting(fromAction);
  const [form, fields] = useForm({
    id: "add-gateway",
    lastResult,
    defaultValue: { pollIntervalSeconds: "30" },
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: GatewaySchema }),
  });
  return (
    <>
      <PageHeader title="Gateways" description="The OpenClaw gateways your agents run on. Mission Control keeps one connection open to each." />
      <div className="grid gap-6 xl:grid-cols-[1fr_360px]">
        <div className="space-y-3">
          {gateways.length === 0 ? (
            <EmptyState icon={Server} title="No gateways yet">
              {canManage
                ? "Add your OpenClaw gateway's WebSocket URL and token with the form beside this list; its agents and sessions then appear on their own."
                : "An admin or owner adds the organization's OpenClaw gateways here; its agents and sessions then appear on their own."}
            </EmptyState>
          ) : (
            gateways.map((gateway) => {
              const online = gateway.state === "online";
              // one sentence, once: the gateway's own words for admins, what to do for everyone else
              const duplicate = gateway.duplicateOf !== null;
              const problem = duplicate
                ? duplicateAdvice(gateways.find((other) => other.id === gateway.duplicateOf), { canManage })
                : !online && gateway.lastError
                  ? gateway.lastError
                  : gatewayAdvice(gateway.state, gateway.pairing, { canManage });
              return (
                <Link
                  key={gateway.id}
                  to={`/gateways/${gateway.id}`}
                  data-testid="gateway-card"
                  className="block rounded-lg border border-border bg-panel p-4 transition hover:border-accent/60"
                >
                  <div className="flex flex-wrap items-center justify-between gap-2">
                    <h2 className="min-w-0 break-words font-semibold">{gateway.name}</h2>
                    <GatewayStateBadge state={shownGatewayState(gateway)} />
                  </div>
                  {gateway.url ? <p className="mt-1 truncate font-mono text-xs text-muted">{gateway.url}</p> : null}
                  <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-1 text-xs sm:grid-cols-4">
                    <div>
                      <dt className="text-muted">Version</dt>
                      <dd>{gateway.serverVersion ?? "—"}</dd>
                    </div>
                    <div>
                      <dt className="text-muted">Latency</dt>
                      <dd className="tabular-nums">{online && gateway.latencyMs !== null ? `${gateway.latencyMs} ms${gateway.latencyP50Ms !== null ? ` (median ${gateway.latencyP50Ms})` : ""}` : "—"}</dd>
                    </div>
                    <div>
                      <dt className="text-muted">Last seen</dt>
                      <dd>{formatAgo(gateway.lastSeenAt, now, "never")}</dd>
                    </div>
                    <div>
                      <dt className="text-muted">Last poll</dt>
                      <dd className={gateway.pollFailed ? "text-warn" : ""}>{gateway.lastPollAt ? `${formatAgo(gateway.lastPollAt, now)}${gateway.pollFailed ? ", in part" : ""}` : "not yet"}</dd>
                    </div>
                  </dl>
                  {problem ? <p className={`mt-3 break-words rounded-md bg-panel-2 px-3 py-2 text-xs ${gateway.lastError && !online && !duplicate ? "text-danger" : ""}`}>{problem}</p> : null}
                </Link>
              );
            })
          )}
        </div>
        {canManage ? (
          <Card title="Add a gateway">
            <Form method="post" {...getFormProps(form)} className="space-y-3">
              <FormError errors={form.errors} />
              <TextField label="Name" field={fields.name} placeholder="Home server" />
              <TextField label="WebSocket URL" field={fields.url} placeholder="ws://127.0.0.1:18789" />
              {existing && fields.url.errors?.length ? (
                <p className="text-sm" data-testid="existing-gateway">
                  <Link to={`/gateways/${existing.id}`} className="font-medium text-accent underline">
                    Open {existing.name}
                  </Link>
                </p>
              ) : null}
              <TextField label="Token" field={fields.token} type="password" autoComplete="off" hint="gateway.auth.token from the gateway's config. Stored encrypted; never shown again." />
              <TextField label="Poll every (seconds)" field={fields.pollIntervalSeconds} type="number" min={5} max={3600} />
              <TranscriptFolderField field={fields.transcriptDir} root={transcriptRoot} />
              <Button type="submit" className="w-full" pendingLabel="Adding…">
                Add gateway
              </Button>
            </Form>
          </Card>
        ) : null}
      </div>
    </>
  );
}

export { ErrorBoundary } from "~/components/route-error";
