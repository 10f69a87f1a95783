import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { nextLiveEvent } from "../support/live-events";
import { pageRequest, ROUTE_ARGS, sessionCookieFor, settle } from "../support/requests";
import { db } from "~/db/data-source.server";
import type { EventFrame } from "~/gateway";
import { FakeGateway } from "~/gateway/testing/fake-gateway";
import { getGatewayRuntime, startGatewayRuntime, stopGatewayRuntime } from "~/ingest/gateway-runtime.server";
import { DomainError } from "~/lib/http.server";
import { listAgentSessions } from "~/models/agent-session.server";
import { createGateway, getGateway, updateGateway } from "~/models/gateway.server";
import { startHub, stopHub } from "~/realtime/hub.server";
import * as gatewayPage from "~/routes/_app.gateways.$gatewayId";

/*
 * F6 per gateway: a legacy gateway (2026.7) whose state directory is mounted on the Mission Control
 * host. Its session files feed that gateway's sessions (not a separate "transcripts" set), its own
 * events add only what the files lack, and only folders inside MC_TRANSCRIPT_ROOT may be read.
 */

const database = useTestDatabase();
const samples = path.resolve(__dirname, "../../../shared/openclaw/samples/v2026.7.35");
const SESSION = "055f3b79-2bd4-4329-933a-4f35c76c6bc9";
let root: string;
let stateDir: string;
let outside: string;
let fake: FakeGateway;
const savedRoot = process.env.MC_TRANSCRIPT_ROOT;

beforeAll(async () => {
  await startHub(database.url);
  root = mkdtempSync(path.join(os.tmpdir(), "mc-transcript-root-"));
  stateDir = path.join(root, "legacy-gateway");
  mkdirSync(path.join(stateDir, "agents", "main", "sessions"), { recursive: true });
  copyFileSync(path.join(samples, "sessions.json"), path.join(stateDir, "agents", "main", "sessions", "sessions.json"));
  outside = mkdtempSync(path.join(os.tmpdir(), "mc-not-allowed-"));
  process.env.MC_TRANSCRIPT_ROOT = root;
  fake = await FakeGateway.start();
});

afterAll(async () => {
  await stopGatewayRuntime();
  await fake?.close();
  await stopHub();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
  if (savedRoot === undefined) delete process.env.MC_TRANSCRIPT_ROOT;
  else process.env.MC_TRANSCRIPT_ROOT = savedRoot;
});

async function refusal(work: () => Promise<unknown>) {
  const error = await work().then(() => null, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).status).toBe(400);
  expect((error as DomainError).field).toBe("transcriptDir");
  return (error as DomainError).message;
}

describe("a gateway's transcript folder", () => {
  it("is only accepted inside MC_TRANSCRIPT_ROOT, as an existing folder, and nothing is saved otherwise", async () => {
    const { org, actor } = await ownerWithOrg("folders");
    const input = { name: "Legacy", url: fake.url, token: fake.token };
    expect(await refusal(() => createGateway({ orgId: org.id, input: { ...input, transcriptDir: outside }, actor }))).toContain("must be inside");
    // a way out of the root through "..": resolved before the check
    expect(await refusal(() => createGateway({ orgId: org.id, input: { ...input, transcriptDir: path.join(root, "..", path.basename(outside)) }, actor }))).toContain("must be inside");
    expect(await refusal(() => createGateway({ orgId: org.id, input: { ...input, transcriptDir: path.join(root, "missing") }, actor }))).toContain("no folder");
    expect(await refusal(() => createGateway({ orgId: org.id, input: { ...input, transcriptDir: "relative/path" }, actor }))).toContain("absolute path");
    writeFileSync(path.join(root, "a-file"), "x");
    expect(await refusal(() => createGateway({ orgId: org.id, input: { ...input, transcriptDir: path.join(root, "a-file") }, actor }))).toContain("not a folder");
    delete process.env.MC_TRANSCRIPT_ROOT;
    try {
      expect(await refusal(() => createGateway({ orgId: org.id, input: { ...input, transcriptDir: stateDir }, actor }))).toContain("MC_TRANSCRIPT_ROOT");
    } finally {
      process.env.MC_TRANSCRIPT_ROOT = root;
    }
    const rows: unknown[] = await db().query("select 1 from gateways where org_id = $1", [org.id]);
    expect(rows).toHaveLength(0);
  });

  it("the gateway form shows the refusal on the field with a 400 and keeps the setting when the field is not offered", async () => {
    const { user, org, actor } = await ownerWithOrg("folder-form");
    const gateway = await createGateway({ orgId: org.id, input: { name: "Form", url: "ws://127.0.0.1:1", transcriptDir: stateDir }, actor });
    const cookie = await sessionCookieFor(user.id, org.id);
    const form = { intent: "update", name: "Form", url: "ws://127.0.0.1:1", pollIntervalSeconds: "30" };
    const call = (fields: Record<string, string>) =>
      settle(() => gatewayPage.action({ request: pageRequest(`/gateways/${gateway.id}`, cookie, fields), params: { gatewayId: gateway.id }, ...ROUTE_ARGS }));

    const refused = (await call({ ...form, transcriptDir: outside })) as { data: { result: { error: Record<string, string[]> } }; init: { status: number } };
    expect(refused.init.status).toBe(400);
    expect(refused.data.result.error.transcriptDir![0]).toContain("must be inside");
    expect((await getGateway({ orgId: org.id, id: gateway.id }))!.transcriptDir).toBe(stateDir);

    delete process.env.MC_TRANSCRIPT_ROOT;
    try {
      await call({ ...form, name: "Renamed" }); // no transcriptDir field: the server does not offer it
    } finally {
      process.env.MC_TRANSCRIPT_ROOT = root;
    }
    expect(await getGateway({ orgId: org.id, id: gateway.id })).toMatchObject({ name: "Renamed", transcriptDir: stateDir });
    await updateGateway({ orgId: org.id, id: gateway.id, input: { transcriptDir: null }, actor });
    expect((await getGateway({ orgId: org.id, id: gateway.id }))!.transcriptDir).toBeNull();
  });

  it("feeds the gateway's own sessions from its files; its events add only what the files lack", async () => {
    const { org, actor } = await ownerWithOrg("legacy-gw");
    const online = nextLiveEvent((e) => e.type === "gateway.status" && (e.data.gateway as { state: string }).state === "online");
    const gateway = await createGateway({ orgId: org.id, input: { name: "Legacy", url: fake.url, token: fake.token, pollIntervalSeconds: 600, transcriptDir: stateDir }, actor });
    await startGatewayRuntime({ databaseUrl: database.url, reconcileMs: 60_000 });
    await online;
    const runtime = getGatewayRuntime()!;

    const lines = readFileSync(path.join(samples, `${SESSION}.jsonl`), "utf8").trim().split("\n");
    const file = path.join(stateDir, "agents", "main", "sessions", `${SESSION}.jsonl`);
    const firstMessage = nextLiveEvent((e) => e.orgId === org.id && e.type === "event.new" && (e.data as any).event?.type === "agent.user_message");
    writeFileSync(file, lines.join("\n") + "\n");
    await firstMessage;
    await runtime.flushTranscripts(gateway.id);

    const rows: Array<{ type: string; data: Record<string, unknown> }> = await db().query("select type, data from activity_events where org_id = $1 and actor_type = 'agent' order by id", [org.id]);
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) expect(row.data).toMatchObject({ gatewayId: gateway.id, source: "transcript" });
    const sessions = await listAgentSessions(org.id);
    expect(sessions.length).toBeGreaterThan(0);
    for (const session of sessions) expect(session.gatewayId).toBe(gateway.id);
    const key = rows.find((row) => row.type === "agent.user_message")!.data.sessionKey as string;

    // Its sessions' usage is summed from the files (every call), and a poll's sessions.usage does not overwrite it.
    const fromFiles = (await listAgentSessions(org.id)).find((s) => s.sessionKey === key)!.usage;
    expect(fromFiles).toMatchObject({ since: null });
    expect(fromFiles!.costUsd).toBeGreaterThan(0);
    fake.handlers.set("sessions.usage", () => ({
      ok: true,
      payload: { updatedAt: Date.now(), startDate: "2026-10-30", endDate: "2026-11-28", totals: {}, sessions: [{ key, usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0, totalTokens: 2, totalCost: 99 } }] },
    }));
    try {
      await runtime.pollNow(gateway.id);
      expect((await listAgentSessions(org.id)).find((s) => s.sessionKey === key)!.usage).toEqual(fromFiles);
    } finally {
      fake.handlers.delete("sessions.usage");
    }

    // The same conversation also arriving as events is not counted twice; an approval (files cannot say it) is.
    const before = rows.length;
    const waiting = nextLiveEvent((e) => e.orgId === org.id && e.type === "event.new" && (e.data as any).event?.type === "agent.waiting");
    const now = Date.now();
    for (const frame of [
      { event: "session.message", payload: { sessionKey: key, agentId: "main", message: { role: "user", content: "again", timestamp: now } } },
      { event: "agent", payload: { runId: "r", sessionKey: key, agentId: "main", stream: "lifecycle", data: { phase: "start" }, ts: now } },
      { event: "exec.approval.requested", payload: { id: "a1", request: { command: "rm -rf build", sessionKey: key, agentId: "main" }, createdAtMs: now } },
    ]) {
      fake.broadcast({ type: "event", ...frame } as EventFrame);
    }
    await waiting;
    const after: Array<{ type: string }> = await db().query("select type from activity_events where org_id = $1 and actor_type = 'agent' order by id", [org.id]);
    expect(after.slice(before).map((row) => row.type)).toEqual(["agent.waiting"]);

    // Appending goes on from the last byte; the offsets are the gateway's own (a global tailer of the same folder would not share them).
    appendFileSync(file, lines[lines.length - 1] + "\n");
    await runtime.flushTranscripts(gateway.id);
    const offsets: Array<{ file: string }> = await db().query("select file from transcript_offsets where file like $1", [`gateway:${gateway.id}:%`]);
    expect(offsets.map((row) => row.file)).toContain(`gateway:${gateway.id}:${file}`);
  });
});
