/*
 * `npm run bench`: performance targets from ARCHITECTURE.md, each printed as a ratio against a
 * baseline measured in the same run on the same machine.
 *
 *   (a) board loader, 1,000 tasks with tags and assignees: listTasks() vs the N+1 ORM pattern;
 *       then the board page over HTTP on the built server (document and loader data)
 *   (b) GET /api/tasks with a Bearer token under 50 concurrent clients vs GET /health
 *
 * Creates its own database (on DATABASE_URL's server, else an embedded PostgreSQL), seeds it through
 * the app's models, and removes everything when done. The HTTP parts need `npm run build` first.
 * Knobs: BENCH_TASKS (1000), BENCH_CONCURRENCY (50), BENCH_API_REQUESTS (1000), BENCH_HEALTH_REQUESTS (10000);
 * BENCH_SSE_CLIENTS (1000,10000: one live run per size), BENCH_SSE_WORKERS (client processes), BENCH_SERVER_ENTRY (another build/server.js);
 *   (f) costs overview with 1,000,000 usage calls behind it vs aggregating the raw calls; the home's cost card
 *
 * BENCH_COST_CALLS (1000000), BENCH_COST_RUNS (200), BENCH_COST_BASELINE_RUNS (20);
 * BENCH_ONLY=board,api,live,activity,costs,parsing (comma-separated) runs only those sections.
 */
import { existsSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { closeDatabase, db, initDatabase } from "~/db/data-source.server";
import { BOARD_COLUMN_PAGE } from "~/lib/constants";
import { listBoardTasks, listTasks } from "~/models/task.server";
import { REPO_ROOT, spawnBuiltServer, type SpawnedServer } from "../support/server";
import { naiveBoardTasks } from "./board";
import { openBenchDatabase, type BenchDatabase } from "./database";
import { get, runLoad, type LoadResult } from "./load";
import { seedBoard } from "./seed";
import { benchLiveUpdates } from "./sse";
import { benchActivityLatency } from "./activity-latency";
import { benchLongLine, benchNormalizer } from "./normalizer";
import { benchCosts } from "./costs";
import { ms, ratio, timeSerial, type Summary } from "./stats";

process.env.LOG_LEVEL ??= "warn";
// Every server the bench starts shares the database, so they (and this process) share the key too.
process.env.MC_SECRET_KEY ??= "bench-only-secret-key-0123456789abcdef";

const TASKS = Number(process.env.BENCH_TASKS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const API_REQUESTS = Number(process.env.BENCH_API_REQUESTS ?? 1000);
const HEALTH_REQUESTS = Number(process.env.BENCH_HEALTH_REQUESTS ?? 10_000);
const BOARD_LOADER_P95_TARGET_MS = 50;
/** issue 10: the board document at 5,000 tasks */
const BOARD_DOCUMENT_P95_TARGET_MS = 150;
const BOARD_DOCUMENT_TARGET_KB = 500;
const COST_CALLS = Number(process.env.BENCH_COST_CALLS ?? 1_000_000);
const COST_RUNS = Number(process.env.BENCH_COST_RUNS ?? 200);
const COST_BASELINE_RUNS = Number(process.env.BENCH_COST_BASELINE_RUNS ?? 20);
const ONLY = new Set((process.env.BENCH_ONLY ?? "").split(",").map((name) => name.trim()).filter(Boolean));
const wanted = (section: string) => ONLY.size === 0 || ONLY.has(section);
/** one run per size; the polling baseline is measured at the first */
const SSE_CLIENTS = (process.env.BENCH_SSE_CLIENTS ?? "1000,10000").split(",").map(Number).filter((n) => n > 0);
const SSE_WORKERS = process.env.BENCH_SSE_WORKERS ? Number(process.env.BENCH_SSE_WORKERS) : undefined;
const SSE_UPDATES = Number(process.env.BENCH_SSE_UPDATES ?? 30);
const POLL_UPDATES = Number(process.env.BENCH_POLL_UPDATES ?? 10);

const routeExists = (file: string) => existsSync(path.join(REPO_ROOT, "app", "routes", file));
const row = (cells: Array<string | number>) => console.log(`| ${cells.join(" | ")} |`);
const latencyCells = (s: Summary) => [ms(s.p50), ms(s.p95), ms(s.p99)];

let database: BenchDatabase | undefined;
let server: SpawnedServer | undefined;
let cleaning: Promise<void> | undefined;

function cleanup() {
  cleaning ??= (async () => {
    await server?.stop().catch((error) => console.error("stopping the server failed:", error));
    await closeDatabase().catch(() => {});
    await database?.cleanup().catch((error) => console.error("dropping the bench database failed:", error));
  })();
  return cleaning;
}

async function benchBoardLoader(orgId: string, boardId: string) {
  // Same data both ways, or the comparison means nothing.
  const [fast, naive] = [await listTasks({ orgId, boardId }), await naiveBoardTasks({ orgId, boardId })];
  const tagCount = (tasks: Array<{ tags: unknown[] }>) => tasks.reduce((sum, task) => sum + task.tags.length, 0);
  if (fast.length !== naive.length || tagCount(fast) !== tagCount(naive)) {
    throw new Error(`listTasks and the baseline disagree: ${fast.length}/${tagCount(fast)} vs ${naive.length}/${tagCount(naive)} tasks/tags`);
  }

  const baseline = await timeSerial(() => naiveBoardTasks({ orgId, boardId }), { runs: 20, warmup: 2 });
  const optimized = await timeSerial(() => listTasks({ orgId, boardId }), { runs: 200, warmup: 20 });
  const columns = await timeSerial(() => listBoardTasks({ orgId, boardId, perColumn: BOARD_COLUMN_PAGE + 1 }), { runs: 200, warmup: 20 });
  console.log(`\n## (a) Board loader: ${fast.length} tasks, ${tagCount(fast)} task tags\n`);
  row(["query", "runs", "p50 ms", "p95 ms", "p99 ms", "queries"]);
  row(["---", "---:", "---:", "---:", "---:", "---:"]);
  row(["baseline: repository.find() + one tag query per task (N+1)", baseline.n, ...latencyCells(baseline), 1 + fast.length]);
  row(["listTasks({ orgId, boardId }) (every task of the board, one query)", optimized.n, ...latencyCells(optimized), 1]);
  row(["listBoardTasks({ orgId, boardId, perColumn: 51 }) (the board page's query: 50 cards per column + 1, and counts)", columns.n, ...latencyCells(columns), 1]);
  console.log(
    `\nlistTasks is ${ratio(baseline.p50 / optimized.p50)} faster at p50 and ${ratio(baseline.p95 / optimized.p95)} at p95. ` +
      `Target p95 < ${BOARD_LOADER_P95_TARGET_MS} ms: ${optimized.p95 < BOARD_LOADER_P95_TARGET_MS ? "met" : "MISSED"} (${ms(optimized.p95)} ms).`,
  );
  return { baseline, optimized };
}

async function benchBoardPage(running: SpawnedServer, boardId: string, sessionToken: string) {
  console.log("\n## (a) Board page over HTTP (built server, one request at a time)\n");
  if (!routeExists("_app.boards.$boardId.tsx")) {
    console.log("Skipped: app/routes/_app.boards.$boardId.tsx does not exist yet.");
    return;
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { Cookie: `mc_session=${sessionToken}` };
  const pageUrl = `${running.url}/boards/${boardId}`;
  // Single fetch (v3_singleFetch): `<path>.data?_routes=<id>` runs just that route's loader.
  const dataUrl = `${pageUrl}.data?_routes=${encodeURIComponent("routes/_app.boards.$boardId")}`;
  try {
    const probe = await get(pageUrl, { agent, headers });
    if (probe.status !== 200) {
      console.log(`Skipped: GET /boards/<id> answered ${probe.status} (is the build older than the route? run \`npm run build\`).`);
      return;
    }
    const page = await get(dataUrl, { agent, headers });
    if (page.status !== 200) throw new Error(`GET ${dataUrl} answered ${page.status}`);
    const health = await timeSerial(() => get(`${running.url}/health`, { agent }), { runs: 200, warmup: 20 });
    const loader = await timeSerial(() => get(dataUrl, { agent, headers }), { runs: 100, warmup: 10 });
    const documentGet = await timeSerial(() => get(pageUrl, { agent, headers }), { runs: 50, warmup: 5 });
    row(["request", "runs", "p50 ms", "p95 ms", "p99 ms", "body", "p50 vs /health"]);
    row(["---", "---:", "---:", "---:", "---:", "---:", "---:"]);
    row(["GET /health (floor)", health.n, ...latencyCells(health), "-", "1x"]);
    row(["GET /boards/<id>.data (session + board loader, single fetch)", loader.n, ...latencyCells(loader), `${Math.round(page.bytes / 1024)} kB`, ratio(loader.p50 / health.p50)]);
    row(["GET /boards/<id> (full server-rendered document)", documentGet.n, ...latencyCells(documentGet), `${Math.round(probe.bytes / 1024)} kB`, ratio(documentGet.p50 / health.p50)]);
    console.log(
      `\nLoader over HTTP p95 ${ms(loader.p95)} ms: target p95 < ${BOARD_LOADER_P95_TARGET_MS} ms ${loader.p95 < BOARD_LOADER_P95_TARGET_MS ? "met" : "MISSED"}.`,
    );
    const documentKb = probe.bytes / 1024;
    const documentMet = documentGet.p95 < BOARD_DOCUMENT_P95_TARGET_MS && documentKb < BOARD_DOCUMENT_TARGET_KB;
    console.log(
      `Document p95 ${ms(documentGet.p95)} ms, ${Math.round(documentKb)} kB: target (at 5,000 tasks) p95 < ${BOARD_DOCUMENT_P95_TARGET_MS} ms and < ${BOARD_DOCUMENT_TARGET_KB} kB ${documentMet ? "met" : "MISSED"}.`,
    );
  } finally {
    agent.destroy();
  }
}

async function benchApi(running: SpawnedServer, apiToken: string) {
  console.log(`\n## (b) Tasks API under load: ${CONCURRENCY} concurrent clients, keep-alive, loopback\n`);
  if (!routeExists("api.tasks.ts")) {
    console.log("Skipped: app/routes/api.tasks.ts does not exist yet.");
    return;
  }
  const agent = new http.Agent({ keepAlive: true });
  const headers = { Authorization: `Bearer ${apiToken}` };
  try {
    const probe = await get(`${running.url}/api/tasks`, { agent, headers });
    if (probe.status !== 200) {
      console.log(`Skipped: GET /api/tasks answered ${probe.status} (is the build older than the route? run \`npm run build\`).`);
      return;
    }
  } finally {
    agent.destroy();
  }
  const results: Array<[string, LoadResult]> = [];
  results.push(["GET /health (floor)", await runLoad({ url: `${running.url}/health`, concurrency: CONCURRENCY, requests: HEALTH_REQUESTS })]);
  results.push([
    `GET /api/tasks (all ${TASKS} tasks)`,
    await runLoad({ url: `${running.url}/api/tasks`, headers, concurrency: CONCURRENCY, requests: API_REQUESTS }),
  ]);
  results.push([
    "GET /api/tasks?status=in-progress (~1/5)",
    await runLoad({ url: `${running.url}/api/tasks?status=in-progress`, headers, concurrency: CONCURRENCY, requests: API_REQUESTS }),
  ]);
  const floor = results[0]![1];
  row(["endpoint", "requests", "req/s", "p50 ms", "p99 ms", "non-200", "body", "req/s ratio (floor / this)"]);
  row(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]);
  for (const [label, result] of results) {
    row([
      label,
      result.requests,
      result.perSecond.toFixed(0),
      ms(result.latency.p50),
      ms(result.latency.p99),
      result.failures,
      `${(result.bytesPerResponse / 1024).toFixed(1)} kB`,
      ratio(floor.perSecond / result.perSecond),
    ]);
  }
  const failures = results.reduce((sum, [, result]) => sum + result.failures, 0);
  if (failures > 0) console.log(`\n${failures} requests did not answer 200: the figures above are not trustworthy.`);
}

async function benchLive(running: SpawnedServer, orgId: string, apiToken: string, databaseUrl: string) {
  const created = await fetch(`${running.url}/api/tasks`, {
    method: "POST",
    headers: { Authorization: `Bearer ${apiToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ title: "bench-start", status: "todo" }),
  });
  const { task } = (await created.json()) as { task: { id: string } };
  let poll: Summary | null = null;
  for (const [index, clients] of SSE_CLIENTS.entries()) {
    const result = await benchLiveUpdates({
      base: running.url,
      serverPid: running.process.pid!,
      databaseUrl,
      orgId,
      apiToken,
      taskId: task.id,
      clients,
      workers: SSE_WORKERS ?? Math.max(4, Math.ceil(clients / 1000)),
      updates: SSE_UPDATES,
      pollUpdates: index === 0 ? POLL_UPDATES : 0,
    });
    poll = result.poll ?? poll;
    console.log(`\n## (c) live updates: task update -> every one of ${result.clients} SSE clients (one process)\n`);
    console.log(
      `${result.clients} streams held by ${result.workers} client processes, opened in ${ms(result.connectMs)} ms; ${SSE_UPDATES} updates through PATCH /api/tasks/:id, ` +
        `timed from sending the PATCH until each client parsed its frame.\n`,
    );
    row(["", "p50 ms", "p95 ms", "p99 ms", "max ms", "samples"]);
    row(["---", "---", "---", "---", "---", "---"]);
    row(["LISTEN/NOTIFY -> SSE", ...latencyCells(result.sse), ms(result.sse.max), result.sse.n]);
    if (poll) row([`baseline: poll every 2 s${result.poll ? "" : " (measured at the first size)"}`, ...latencyCells(poll), ms(poll.max), poll.n]);
    const target = clients <= 1000 ? { p99: 25, ratio: 40 } : { p99: 150, ratio: 0 };
    if (poll) {
      console.log(
        `\np99 ${ratio(poll.p99 / result.sse.p99)} better than polling${target.ratio ? ` (target >= ${target.ratio}x)` : ""}, p50 ${ratio(poll.p50 / result.sse.p50)}; ` +
          `target p99 < ${target.p99} ms: ${result.sse.p99 < target.p99 ? "met" : "NOT met"}.`,
      );
    }
    if (result.poll) console.log(`Polling baseline cost ${result.pollQueriesPerSecond.toFixed(0)} queries/s.`);
    console.log(
      `The SSE server used ${result.serverCpuPercent.toFixed(0)}% of one core during the updates; RSS ${result.serverRssMb.before.toFixed(0)} MB before, ` +
        `${result.serverRssMb.open.toFixed(0)} MB with the streams open${clients >= 10_000 ? ` (target < 600 MB: ${result.serverRssMb.open < 600 ? "met" : "NOT met"})` : ""}, ${result.serverRssMb.after.toFixed(0)} MB after.`,
    );
  }
}

async function benchActivity(orgId: string, apiToken: string, databaseUrl: string) {
  const appends = Number(process.env.BENCH_APPENDS ?? 1000);
  const result = await benchActivityLatency({ databaseUrl, orgId, apiToken, appends, newSessions: 20, gatewayEvents: Number(process.env.BENCH_GATEWAY_EVENTS ?? 1000) });
  console.log(`\n## (d) agent activity -> SSE client (persisted, replayable)\n`);
  row(["", "p50 ms", "p95 ms", "p99 ms", "max ms", "samples"]);
  row(["---", "---", "---", "---", "---", "---"]);
  row(["transcript line appended -> event.new frame", ...latencyCells(result.append), ms(result.append.max), result.append.n]);
  row(["floor: fs.watch + read + JSON.parse in-process (nothing persisted)", ...latencyCells(result.appendFloor), ms(result.appendFloor.max), result.appendFloor.n]);
  row(["gateway event -> event.new frame", ...latencyCells(result.gatewayEvent), ms(result.gatewayEvent.max), result.gatewayEvent.n]);
  row(["new session file -> first frame", ...latencyCells(result.newSession), ms(result.newSession.max), result.newSession.n]);
  row(["baseline: 3 s directory scan notices a new file", ...latencyCells(result.newSessionScan), ms(result.newSessionScan.max), result.newSessionScan.n]);
  console.log(
    `\nappend p99 ${ms(result.append.p99)} ms (target < 10 ms: ${result.append.p99 < 10 ? "met" : "NOT met"}), ${ratio(result.append.p99 / result.appendFloor.p99)} the in-process floor; ` +
      `new session p50 ${ms(result.newSession.p50)} ms / max ${ms(result.newSession.max)} ms (target < 100 ms: ${result.newSession.max < 100 ? "met" : "NOT met"}), ${ratio(result.newSessionScan.p50 / result.newSession.p50)} faster than the 3 s scan at p50.`,
  );
}

async function benchTranscriptParsing() {
  const result = await benchNormalizer();
  console.log(`\n## (e) transcript parsing, ${(result.bytes / 1e6).toFixed(0)} MB\n`);
  row(["pass", "MB/s", "vs baseline"]);
  row(["---", "---:", "---:"]);
  row(["baseline: split lines + JSON.parse", result.baselineMBps.toFixed(0), "1.0x"]);
  row(["parseJsonLines + normalizeTranscriptRecord", result.normalizerMBps.toFixed(0), `${result.ratio.toFixed(2)}x`]);
  row(["TranscriptTailer catching up from offset 0", result.tailerMBps.toFixed(0), `${(result.tailerMBps / result.baselineMBps).toFixed(2)}x`]);
  console.log(`\nnormalizer ${result.normalizerMBps.toFixed(0)} MB/s: target >= ${result.targetMBps} MB/s ${result.normalizerMBps >= result.targetMBps ? "met" : "NOT met"}.`);

  const long = await benchLongLine();
  console.log(`\n### one ${long.megabytes.toFixed(0)} MB transcript line\n`);
  row(["pass", "ms", "vs baseline"]);
  row(["---", "---:", "---:"]);
  row(["baseline: JSON.parse of the line in memory", long.parseMs.toFixed(0), "1.0x"]);
  row(["TranscriptTailer reading it (1 MB chunks)", long.tailerMs.toFixed(0), `${(long.tailerMs / long.parseMs).toFixed(1)}x`]);
  console.log(`\nlongest event-loop stall while tailing it: ${long.maxLagMs.toFixed(0)} ms (the line's own JSON.parse is one step).`);
}

async function main() {
  const started = Date.now();
  database = await openBenchDatabase();
  console.log(`# Mission Control benchmarks, ${new Date().toISOString()}\n`);
  console.log(`- machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ${os.type()} ${os.release()}`);
  console.log(`- Node ${process.version}; database: ${database.description}`);
  console.log(`- load average at start: ${os.loadavg().map((n) => n.toFixed(2)).join(" ")} (anything else running skews the figures)`);

  await initDatabase(database.url, { poolSize: 10 });
  const seedStarted = performance.now();
  const seeded = await seedBoard({ taskCount: TASKS });
  console.log(
    `- seeded through the models in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s: 1 board, ${seeded.tasks} tasks, ` +
      `${seeded.taskTags} task tags (12 tags), ${seeded.assigned} assigned to ${seeded.agents.length} agents`,
  );

  // Steady state, not "just bulk-loaded": planner statistics and the visibility map up to date, so
  // autovacuum does not kick in halfway through a measurement.
  await db().query("vacuum analyze");

  if (wanted("board")) await benchBoardLoader(seeded.orgId, seeded.boardId);

  if (!existsSync(path.join(REPO_ROOT, "build", "server.js"))) {
    console.log("\nHTTP benchmarks skipped: build/server.js is missing (run `npm run build`).");
  } else {
    if (wanted("board") || wanted("api") || wanted("live") || wanted("costs")) server = await spawnBuiltServer({ databaseUrl: database.url, entry: process.env.BENCH_SERVER_ENTRY });
    if (server && wanted("board")) await benchBoardPage(server, seeded.boardId, seeded.sessionToken);
    if (server && wanted("api")) await benchApi(server, seeded.apiToken);
    if (server && wanted("live")) await benchLive(server, seeded.orgId, seeded.apiToken, database.url);
    if (wanted("activity")) await benchActivity(seeded.orgId, seeded.apiToken, database.url);
  }
  if (wanted("costs")) {
    await benchCosts({ orgId: seeded.orgId, sessionToken: seeded.sessionToken, server, calls: COST_CALLS, runs: COST_RUNS, baselineRuns: COST_BASELINE_RUNS });
  }
  if (wanted("parsing")) await benchTranscriptParsing();
  console.log(`\nTotal ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}

process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
main()
  .then(cleanup)
  .then(
    () => process.exit(0),
    async (error) => {
      console.error(error);
      await cleanup();
      process.exit(1);
    },
  );
