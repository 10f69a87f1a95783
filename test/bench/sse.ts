/*
 * Live updates: N concurrent SSE clients on one process; a task update through the REST API; the
 * time until every client has the `task.updated` frame. Baseline, measured in the same run: the
 * platform we replace, where each stream polls the database every 2 s (clients spread evenly over
 * the interval), so a change waits on average ~1 s for the next poll.
 */
import http from "node:http";
import { readFileSync } from "node:fs";
import pg from "pg";
import { summarize, type Summary } from "./stats";

export interface LiveBenchResult {
  clients: number;
  sse: Summary;
  poll: Summary;
  pollQueriesPerSecond: number;
  serverCpuPercent: number;
  serverRssMb: { before: number; after: number };
  connectMs: number;
}

interface Client {
  request: http.ClientRequest;
  received: Map<string, number>;
}

function processStats(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, rssMb: rssKb / 1024 };
}

function openClient(base: string, token: string, agent: http.Agent, onReady: () => void, onFail: (error: Error) => void): Client {
  const received = new Map<string, number>();
  const request = http.get(`${base}/events?topics=tasks`, { agent, headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" } }, (response) => {
    if (response.statusCode !== 200) return onFail(new Error(`stream answered ${response.statusCode}`));
    response.setEncoding("utf8");
    let buffer = "";
    response.on("data", (chunk: string) => {
      const now = performance.now();
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (frame.includes("event: ready")) onReady();
        else if (frame.includes("event: task.updated")) {
          const marker = /"title":"bench-(\d+)"/.exec(frame)?.[1];
          if (marker) received.set(marker, now);
        }
      }
    });
  });
  request.on("error", (error) => onFail(error));
  return { request, received };
}

async function patchTask(base: string, token: string, taskId: string, title: string) {
  const response = await fetch(`${base}/api/tasks/${taskId}`, {
    method: "PATCH",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ title }),
  });
  if (response.status !== 200) throw new Error(`PATCH answered ${response.status}: ${await response.text()}`);
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export async function benchLiveUpdates(options: {
  base: string;
  serverPid: number;
  databaseUrl: string;
  orgId: string;
  apiToken: string;
  taskId: string;
  clients: number;
  updates: number;
  pollUpdates: number;
}): Promise<LiveBenchResult> {
  const { base, apiToken, taskId } = options;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  let ready = 0;
  let failure: Error | undefined;
  const before = processStats(options.serverPid);
  const connectStarted = performance.now();
  const clients: Client[] = [];
  for (let i = 0; i < options.clients; i++) {
    clients.push(openClient(base, apiToken, agent, () => ready++, (error) => (failure ??= error)));
  }
  await waitFor(() => ready === options.clients || failure !== undefined, 60_000, `${options.clients} streams to open`);
  if (failure) throw failure;
  const connectMs = performance.now() - connectStarted;

  const cpuStart = processStats(options.serverPid);
  const wallStart = performance.now();
  const sseSamples: number[] = [];
  for (let n = 0; n < options.updates; n++) {
    const marker = String(n);
    const sent = performance.now();
    await patchTask(base, apiToken, taskId, `bench-${marker}`);
    await waitFor(() => clients.every((c) => c.received.has(marker)), 10_000, `update ${n} to reach every client`);
    for (const client of clients) sseSamples.push(client.received.get(marker)! - sent);
  }
  const cpuEnd = processStats(options.serverPid);
  const wallSeconds = (performance.now() - wallStart) / 1000;
  for (const client of clients) client.request.destroy();
  agent.destroy();

  // Baseline: every client polls the log every 2 s, phases spread over the interval.
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
  const cursor = (await pool.query("select coalesce(max(id), 0)::text as max from event_log")).rows[0].max as string;
  const seen = new Map<number, Map<string, number>>();
  let queries = 0;
  let stopped = false;
  const pollers: NodeJS.Timeout[] = [];
  const startPolling = performance.now();
  for (let i = 0; i < options.clients; i++) {
    const mine = new Map<string, number>();
    seen.set(i, mine);
    let last = cursor;
    const poll = async () => {
      if (stopped) return;
      queries++;
      const { rows } = await pool.query(
        "select id::text, data from event_log where org_id = $1 and id > $2 and type = 'task.updated' order by id",
        [options.orgId, last],
      );
      const now = performance.now();
      for (const row of rows) {
        last = row.id;
        const marker = /^bench-poll-(\d+)$/.exec(row.data.task?.title ?? "")?.[1];
        if (marker && !mine.has(marker)) mine.set(marker, now);
      }
    };
    const offset = (2000 * i) / options.clients;
    pollers.push(
      setTimeout(() => {
        void poll();
        pollers.push(setInterval(() => void poll().catch(() => {}), 2000));
      }, offset),
    );
  }
  // let every poller reach its steady rhythm before the first change
  await new Promise((resolve) => setTimeout(resolve, 2100));
  const pollSamples: number[] = [];
  for (let n = 0; n < options.pollUpdates; n++) {
    const marker = String(n);
    const sent = performance.now();
    await patchTask(base, apiToken, taskId, `bench-poll-${marker}`);
    await waitFor(() => Array.from(seen.values()).every((m) => m.has(marker)), 10_000, `poll update ${n}`);
    for (const mine of seen.values()) pollSamples.push(mine.get(marker)! - sent);
  }
  const pollSeconds = (performance.now() - startPolling) / 1000;
  stopped = true;
  for (const timer of pollers) clearTimeout(timer), clearInterval(timer);
  await pool.end();

  const after = processStats(options.serverPid);
  return {
    clients: options.clients,
    sse: summarize(sseSamples),
    poll: summarize(pollSamples),
    pollQueriesPerSecond: queries / pollSeconds,
    serverCpuPercent: ((cpuEnd.cpuSeconds - cpuStart.cpuSeconds) / wallSeconds) * 100,
    serverRssMb: { before: before.rssMb, after: Math.max(after.rssMb, cpuEnd.rssMb) },
    connectMs,
  };
}
