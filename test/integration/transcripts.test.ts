import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "../support/db";
import { ownerWithOrg } from "../support/fixtures";
import { nextLiveEvent } from "../support/live-events";
import { db } from "~/db/data-source.server";
import { PgOffsetStore } from "~/ingest/transcript-offsets.server";
import { TranscriptIngest } from "~/ingest/transcripts.server";
import { startHub, stopHub } from "~/realtime/hub.server";
import { listAgentSessions } from "~/models/agent-session.server";

/* F6 end to end: a legacy state dir tailed into activity rows, sessions and the live stream, restart-safe. */
const database = useTestDatabase();
const samples = path.resolve(__dirname, "../../../shared/openclaw/samples/v2026.7.35");
const SESSION = "055f3b79-2bd4-4329-933a-4f35c76c6bc9";
let stateDir: string;
let sessionsDir: string;
const ingests: TranscriptIngest[] = [];

beforeAll(async () => {
  await startHub(database.url);
  stateDir = mkdtempSync(path.join(os.tmpdir(), "mc-state-"));
  sessionsDir = path.join(stateDir, "agents", "main", "sessions");
  mkdirSync(sessionsDir, { recursive: true });
  copyFileSync(path.join(samples, "sessions.json"), path.join(sessionsDir, "sessions.json"));
});

afterAll(async () => {
  for (const ingest of ingests) await ingest.stop();
  await stopHub();
  rmSync(stateDir, { recursive: true, force: true });
});

async function activityCount(orgId: string) {
  const rows: Array<{ count: number }> = await db().query("select count(*)::int as count from activity_events where org_id = $1 and actor_type = 'agent'", [orgId]);
  return rows[0]!.count;
}

describe("legacy transcript ingest", () => {
  it("turns appended transcript lines into agent activity and sessions, and a restart neither replays nor loses", async () => {
    const { org } = await ownerWithOrg("legacy");
    const lines = readFileSync(path.join(samples, `${SESSION}.jsonl`), "utf8").trim().split("\n");
    const file = path.join(sessionsDir, `${SESSION}.jsonl`);
    writeFileSync(file, lines.slice(0, 6).join("\n") + "\n");

    const first = new TranscriptIngest({ databaseUrl: database.url, stateDir, org: org.slug, retryMs: 200 });
    ingests.push(first);
    await first.start();
    expect(first.running).toBe(true);
    const initial = await activityCount(org.id);
    expect(initial).toBeGreaterThan(0);

    const sessions = await listAgentSessions(org.id);
    expect(sessions.find((s) => s.sessionKey === "agent:main:mc-v7-demo")).toMatchObject({ sessionId: SESSION, type: "dm" });

    // a second process cannot tail at the same time
    const second = new TranscriptIngest({ databaseUrl: database.url, stateDir, org: org.slug, retryMs: 200 });
    ingests.push(second);
    await second.start();
    expect(second.running).toBe(false);

    // live: the next line reaches the stream with its own timestamp
    const backgroundSaves = vi.spyOn(PgOffsetStore.prototype, "set");
    const live = nextLiveEvent((e) => e.orgId === org.id && e.type === "event.new" && (e.data.event as { type: string }).type.startsWith("agent."));
    const next = lines.findIndex((line, index) => index >= 6 && JSON.parse(line).type === "message");
    appendFileSync(file, lines.slice(6, next + 1).join("\n") + "\n");
    const event = await live;
    const record = JSON.parse(lines[next]!);
    // the record's own time (its entry or its message timestamp), not the moment it was read
    expect([Date.parse(record.timestamp), record.message?.timestamp]).toContain((event.data.event as { timestamp: number }).timestamp);
    // the offset reached was committed with the activity itself (no flush needed): a crash now could
    // neither replay nor lose these lines
    const [stored] = (await db().query("select byte_offset from transcript_offsets where file = $1", [file])) as Array<{ byte_offset: string }>;
    expect(Number(stored!.byte_offset)).toBe(readFileSync(file).length);
    expect(backgroundSaves.mock.calls.filter(([name]) => name === file)).toEqual([]);
    backgroundSaves.mockRestore();
    const afterAppend = await activityCount(org.id);
    expect(afterAppend).toBeGreaterThan(initial);

    // the owner stops; the other takes over from the stored offsets: nothing replayed
    await first.stop();
    await second.start(); // takes the lock now
    expect(second.running).toBe(true);
    expect(await activityCount(org.id)).toBe(afterAppend);

    // and nothing lost: the rest arrives
    const lastMessage = JSON.parse(lines.filter((line) => JSON.parse(line).type === "message").at(-1)!);
    const times = [Date.parse(lastMessage.timestamp), lastMessage.message?.timestamp];
    const rest = nextLiveEvent(
      (e) => e.orgId === org.id && e.type === "event.new" && times.includes((e.data.event as { timestamp: number }).timestamp),
    );
    appendFileSync(file, lines.slice(next + 1).join("\n") + "\n");
    await rest;
    await second.flush();
    const offsets: Array<{ byte_offset: string }> = await db().query("select byte_offset from transcript_offsets where file = $1", [file]);
    expect(Number(offsets[0]!.byte_offset)).toBe(readFileSync(file).length);

    // the session's usage is every model call of the transcript, each counted once across the handover
    const calls = lines.map((line) => JSON.parse(line).message).filter((message) => message?.role === "assistant" && message.usage);
    expect(calls.length).toBeGreaterThan(0);
    const sum = (pick: (usage: { input: number; output: number; cacheRead?: number; cost: { total: number } }) => number) => calls.reduce((total, message) => total + pick(message.usage), 0);
    const demo = (await listAgentSessions(org.id)).find((s) => s.sessionKey === "agent:main:mc-v7-demo")!;
    expect(demo.usage).toMatchObject({ inputTokens: sum((u) => u.input), outputTokens: sum((u) => u.output), cacheReadTokens: sum((u) => u.cacheRead ?? 0), since: null });
    expect(demo.usage!.costUsd).toBeCloseTo(sum((u) => u.cost.total), 9);
  });
});
