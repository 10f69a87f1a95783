/*
 * Live updates: N concurrent SSE clients on one process; a task update through the REST API; the
 * time until every client has the `task.updated` frame. The clients live in worker processes
 * (sse-client.ts, ~1,000 streams each at most), so parsing them does not queue behind one event loop. Baseline, measured in the same run: the
 * platform we replace, where each stream polls the database every 2 s (clients spread evenly over
 * the interval), so a change waits on average ~1 s for the next poll.
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { WorkerCommand, WorkerReport } from "./sse-client";
import { summarize, type Summary } from "./stats";

const CLIENT = path.join(import.meta.dirname, "sse-client.ts");

export interface LiveBenchResult {
  clients: number;
  workers: number;
  sse: Summary;
  poll: Summary | null;
  pollQueriesPerSecond: number;
  serverCpuPercent: number;
  /** before the streams opened, with them open (the highest seen), after they closed */
  serverRssMb: { before: number; open: number; after: number };
  connectMs: number;
}

function processStats(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, rssMb: rssKb / 1024 };
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

interface Worker {
  child: ChildProcess;
  count: number;
}

/** Forks `workers` client processes holding `clients` streams between them; resolves once all are open. */
async function openClients(options: { base: string; token: string; clients: number; workers: number }, onReport: (report: WorkerReport) => void) {
  const workers: Worker[] = [];
  const share = Math.ceil(options.clients / options.workers);
  let ready = 0;
  let failure: Error | undefined;
  let wake = () => {};
  for (let left = options.clients; left > 0; left -= share) {
    const count = Math.min(share, left);
    const child = fork(CLIENT, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.on("message", (report: WorkerReport) => {
      if (report.type === "ready") ready++;
      else if (report.type === "failed") failure ??= new Error(report.message);
      else onReport(report);
      wake();
    });
    child.on("exit", (code) => {
      if (code !== 0 && code !== null) failure ??= new Error(`a bench client process exited with ${code}`);
      wake();
    });
    const command: WorkerCommand = { type: "open", base: options.base, token: options.token, path: "/events?topics=tasks", count, concurrency: 25 };
    child.send(command);
    workers.push({ child, count });
  }
  const deadline = Date.now() + 120_000;
  while (ready < workers.length && !failure) {
    if (Date.now() > deadline) failure = new Error(`timed out opening ${options.clients} streams`);
    else await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, 1000)));
  }
  const close = () => {
    for (const { child } of workers) if (child.connected) child.send({ type: "close" } satisfies WorkerCommand);
    return Promise.all(workers.map(({ child }) => (child.exitCode !== null ? null : new Promise((resolve) => child.once("exit", resolve)))));
  };
  if (failure) {
    await close();
    throw failure;
  }
  return { workers, close };
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
  /** client processes holding the streams */
  workers: number;
  updates: number;
  /** 0: no polling baseline in this run */
  pollUpdates: number;
}): Promise<LiveBenchResult> {
  const { base, apiToken, taskId } = options;
  const before = processStats(options.serverPid);
  const connectStarted = performance.now();
  // marker -> receive times reported so far, and how many client processes reported
  const arrivals = new Map<string, { times: number[]; workers: number }>();
  let wake = () => {};
  const { workers, close } = await openClients({ base, token: apiToken, clients: options.clients, workers: options.workers }, (report) => {
    if (report.type !== "got") return;
    const entry = arrivals.get(report.marker) ?? { times: [], workers: 0 };
    entry.times.push(...report.times);
    entry.workers++;
    arrivals.set(report.marker, entry);
    wake();
  });
  const connectMs = performance.now() - connectStarted;
  const rssOpen = processStats(options.serverPid).rssMb;

  const cpuStart = processStats(options.serverPid);
  const wallStart = performance.now();
  const sseSamples: number[] = [];
  {
    for (let n = 0; n < options.updates; n++) {
      const marker = String(n);
      const sent = nowMs();
      await patchTask(base, apiToken, taskId, `bench-${marker}`);
      const deadline = Date.now() + 10_000;
      while ((arrivals.get(marker)?.workers ?? 0) < workers.length) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for update ${n} to reach every client`);
        await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, 5)));
      }
      for (const at of arrivals.get(marker)!.times) sseSamples.push(at - sent);
      arrivals.delete(marker);
    }
  }
  const cpuEnd = processStats(options.serverPid);
  const wallSeconds = (performance.now() - wallStart) / 1000;
  await close();
  const sse = summarize(sseSamples);
  if (options.pollUpdates === 0) {
    return {
      clients: options.clients,
      workers: workers.length,
      sse,
      poll: null,
      pollQueriesPerSecond: 0,
      serverCpuPercent: ((cpuEnd.cpuSeconds - cpuStart.cpuSeconds) / wallSeconds) * 100,
      serverRssMb: { before: before.rssMb, open: Math.max(rssOpen, cpuEnd.rssMb), after: processStats(options.serverPid).rssMb },
      connectMs,
    };
  }

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
    workers: workers.length,
    sse,
    poll: summarize(pollSamples),
    pollQueriesPerSecond: queries / pollSeconds,
    serverCpuPercent: ((cpuEnd.cpuSeconds - cpuStart.cpuSeconds) / wallSeconds) * 100,
    serverRssMb: { before: before.rssMb, open: Math.max(rssOpen, cpuEnd.rssMb), after: after.rssMb },
    connectMs,
  };
}
