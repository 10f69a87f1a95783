/*
 * Issue 5 latencies, measured on the built server:
 *   (a) a transcript line appended -> its `event.new` frame at an SSE client (persisted and replayable),
 *       against a floor measured in the same run: fs.watch + read the new bytes + JSON.parse in this
 *       process (nothing persisted, no network), which is what the pixel office we replace does;
 *   (b) a brand-new session file -> its first frame, against a 3 s directory scan (the office's way);
 *   (c) a gateway event (an in-process fake gateway replaying the recorded frame shape) -> its frame.
 */
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, watch, writeFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { FakeGateway } from "~/gateway/testing/fake-gateway";
import { createGateway } from "~/models/gateway.server";
import { summarize, type Summary } from "./stats";
import { openEvents } from "../support/sse";
import { spawnBuiltServer } from "../support/server";

export interface ActivityLatencyResult {
  append: Summary;
  appendFloor: Summary;
  newSession: Summary;
  newSessionScan: Summary;
  gatewayEvent: Summary;
}

const userLine = (marker: string) =>
  JSON.stringify({
    type: "message",
    id: marker.slice(0, 8),
    parentId: null,
    timestamp: new Date().toISOString(),
    message: { role: "user", content: `bench ${marker}`, timestamp: Date.now() },
  }) + "\n";

export async function benchActivityLatency(options: { databaseUrl: string; orgId: string; apiToken: string; appends: number; newSessions: number; gatewayEvents: number }): Promise<ActivityLatencyResult> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "mc-bench-state-"));
  const sessionsDir = path.join(stateDir, "agents", "main", "sessions");
  mkdirSync(sessionsDir, { recursive: true });
  writeFileSync(path.join(sessionsDir, "sessions.json"), "{}");
  const file = path.join(sessionsDir, `${randomUUID()}.jsonl`);
  writeFileSync(file, "");
  const fake = await FakeGateway.start();
  const server = await spawnBuiltServer({
    databaseUrl: options.databaseUrl,
    env: { OPENCLAW_STATE_DIR: stateDir, OPENCLAW_STATE_ORG: options.orgId, MC_GATEWAY_RECONCILE_MS: "200" },
  });
  try {
    const frames = await openEvents(server.url, { topics: "activity", token: options.apiToken });
    const waitMarker = async (marker: string, since: number) => {
      await frames.next((f) => f.event === "event.new" && f.data!.includes(marker), 10_000);
      return performance.now() - since;
    };

    // (a) append -> SSE
    for (let i = 0; i < 20; i++) {
      const marker = randomUUID();
      appendFileSync(file, userLine(marker));
      await waitMarker(marker, performance.now()); // warm-up
    }
    const append: number[] = [];
    for (let i = 0; i < options.appends; i++) {
      const marker = randomUUID();
      const started = performance.now();
      appendFileSync(file, userLine(marker));
      append.push(await waitMarker(marker, started));
    }

    // floor: fs.watch + read + JSON.parse in-process
    const floorFile = path.join(stateDir, "floor.jsonl");
    writeFileSync(floorFile, "");
    let offset = 0;
    let pending: { marker: string; started: number; resolve: (ms: number) => void } | null = null;
    const watcher = watch(floorFile, () => {
      const size = statSync(floorFile).size;
      if (size <= offset || !pending) return;
      const fd = openSync(floorFile, "r");
      const buffer = Buffer.alloc(size - offset);
      readSync(fd, buffer, 0, buffer.length, offset);
      closeSync(fd);
      offset = size;
      for (const line of buffer.toString("utf8").split("\n")) {
        if (!line) continue;
        const record = JSON.parse(line) as { message: { content: string } };
        if (pending && record.message.content.includes(pending.marker)) {
          const done = pending;
          pending = null;
          done.resolve(performance.now() - done.started);
        }
      }
    });
    const appendFloor: number[] = [];
    for (let i = 0; i < options.appends; i++) {
      const marker = randomUUID();
      const measured = new Promise<number>((resolve) => (pending = { marker, started: performance.now(), resolve }));
      appendFileSync(floorFile, userLine(marker));
      appendFloor.push(await measured);
    }
    watcher.close();

    // (b) a new session file -> first frame
    const newSession: number[] = [];
    for (let i = 0; i < options.newSessions; i++) {
      const marker = randomUUID();
      const started = performance.now();
      writeFileSync(path.join(sessionsDir, `${randomUUID()}.jsonl`), userLine(marker));
      newSession.push(await waitMarker(marker, started));
    }
    // baseline: a real scanner that lists the directory every 3 s, as the office we replace does
    const scanDir = path.join(stateDir, "scan");
    mkdirSync(scanDir);
    const seen = new Set<string>();
    const waiting = new Map<string, { started: number; resolve: (ms: number) => void }>();
    const scanner = setInterval(() => {
      for (const name of readdirSync(scanDir)) {
        if (seen.has(name)) continue;
        seen.add(name);
        const waiter = waiting.get(name);
        if (waiter) waiter.resolve(performance.now() - waiter.started);
      }
    }, 3000);
    const newSessionScan: number[] = [];
    for (let i = 0; i < Math.max(3, Math.round(options.newSessions / 5)); i++) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3000)); // arrive at a random moment
      const name = `${randomUUID()}.jsonl`;
      const noticed = new Promise<number>((resolve) => waiting.set(name, { started: performance.now(), resolve }));
      writeFileSync(path.join(scanDir, name), userLine(name));
      newSessionScan.push(await noticed);
    }
    clearInterval(scanner);

    // (c) gateway event -> SSE
    await createGateway({ orgId: options.orgId, input: { name: "bench fake", url: fake.url, token: fake.token, pollIntervalSeconds: 3600 }, actor: { type: "system", id: null, name: "bench" } });
    await fake.waitForRequest("sessions.subscribe");
    const gatewayEvent: number[] = [];
    for (let i = 0; i < options.gatewayEvents; i++) {
      const marker = randomUUID();
      const started = performance.now();
      fake.broadcast({
        type: "event",
        event: "agent",
        payload: {
          runId: "bench-run",
          sessionKey: "agent:main:bench",
          agentId: "main",
          stream: "tool",
          data: { phase: "start", name: "exec", toolCallId: marker, args: { command: `echo ${marker}` } },
          ts: Date.now(),
        },
      } as never);
      gatewayEvent.push(await waitMarker(marker, started));
    }

    return {
      append: summarize(append),
      appendFloor: summarize(appendFloor),
      newSession: summarize(newSession),
      newSessionScan: summarize(newSessionScan),
      gatewayEvent: summarize(gatewayEvent),
    };
  } finally {
    await server.stop();
    await fake.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
