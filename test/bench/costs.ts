import { existsSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { db } from "~/db/data-source.server";
import { REPO_ROOT, type SpawnedServer } from "../support/server";
import { seedCostHistory, type CostsSeeded } from "./costs-seed";
import { addDays, dayInZone, overviewFigures, sameFigures, type OverviewFigures, type OverviewQuery } from "./costs-overview-sql";
import { get } from "./load";
import { ms, ratio, timeSerial, type Summary } from "./stats";

/**
 * (f) Costs (issue 13, point 6): the costs overview with 1,000,000 per-call usage rows behind it,
 * p95 < 100 ms, against a baseline that aggregates the raw calls in the same run; the home's cost
 * figures p95 < 50 ms. See docs/benchmarks.md.
 */
export const COSTS_LOADER_P95_TARGET_MS = 100;
export const HOME_LOADER_P95_TARGET_MS = 50;
const TIME_ZONE = "Europe/Berlin";

const row = (cells: Array<string | number>) => console.log(`| ${cells.join(" | ")} |`);
const verdict = (value: number, target: number) => (value < target ? "PASS" : "MISS");

interface CostsModel {
  costOverview?: (input: { orgId: string; from: string; to: string; gatewayId?: string; agentId?: string; now?: Date }) => Promise<{ range: { cost: number } }>;
  homeCostSummary?: (orgId: string, now?: Date) => Promise<unknown>;
}

/** app/models/costs.server.ts when it has landed (branch h2/costs-model), else null. */
async function loadCostsModel(): Promise<CostsModel | null> {
  if (!existsSync(path.join(REPO_ROOT, "app", "models", "costs.server.ts"))) return null;
  // A computed specifier, so the bench type-checks before the module exists.
  const specifier = "~/models/costs.server";
  return (await import(/* @vite-ignore */ specifier)) as CostsModel;
}

export interface CostsBenchOptions {
  orgId: string;
  sessionToken: string;
  server?: SpawnedServer;
  calls: number;
  runs: number;
  baselineRuns: number;
}

export async function benchCosts(options: CostsBenchOptions) {
  const { orgId, calls } = options;
  const seeded = await seedCostHistory({ orgId, timeZone: TIME_ZONE, calls, days: 400, agents: 20, models: 8 });
  // The baseline's index for the agent filter (the (org_id, at) one is in the migration).
  await db().query(`create index usage_calls_bench_agent_at_idx on usage_calls (gateway_id, agent_id, at)`);
  await db().query("vacuum analyze");
  const sizes = await db().query(
    `select relname, pg_size_pretty(pg_total_relation_size(oid)) size from pg_class
     where relname in ('usage_calls', 'usage_daily', 'usage_session_daily') order by relname`,
  );
  console.log(`\n## (f) Costs overview: ${calls.toLocaleString("en")} usage calls over 400 days (${TIME_ZONE})\n`);
  console.log(
    `Seeded in SQL in ${seeded.seconds.toFixed(0)} s: 1 gateway, ${seeded.agents.length} agents, ${seeded.models.length} models, ` +
      `${seeded.sessions.toLocaleString("en")} sessions; rollups built with one group-by each: ` +
      `${seeded.dailyRows.toLocaleString("en")} usage_daily rows, ${seeded.sessionDailyRows.toLocaleString("en")} usage_session_daily rows ` +
      `(sizes with indexes: ${sizes.map((r: { relname: string; size: string }) => `${r.relname} ${r.size}`).join(", ")}).\n`,
  );

  const now = Date.now();
  const today = dayInZone(now, TIME_ZONE);
  const monthStart = `${today.slice(0, 8)}01`;
  const [{ first }] = await db().query(`select min(day)::text first from usage_daily where org_id = $1`, [orgId]);
  const busiest = seeded.agents[0]!;
  const quiet = seeded.agents[seeded.agents.length - 1]!;
  const agentOf = (agent: { externalId: string }) => ({ gatewayId: seeded.gatewayId, externalId: agent.externalId });
  const cases: Array<{ label: string; query: OverviewQuery; agentId?: string; urlQuery: string }> = [];
  const ranges = [
    { name: "30 days", from: addDays(today, -29), to: today, url: "range=30d" },
    { name: "all time", from: first as string, to: today, url: "range=all" },
    { name: "custom (120 days, a year ago)", from: addDays(today, -365), to: addDays(today, -246), url: "" },
  ];
  for (const range of ranges) {
    const url = range.url || `range=custom&from=${range.from}&to=${range.to}`;
    const base = { orgId, timeZone: TIME_ZONE, from: range.from, to: range.to, today, monthStart };
    cases.push({ label: `${range.name}, all agents`, query: base, urlQuery: url });
    cases.push({ label: `${range.name}, busiest agent`, query: { ...base, agent: agentOf(busiest) }, agentId: busiest.id, urlQuery: `${url}&agentId=${busiest.id}` });
  }
  cases.push({ label: "30 days, quietest agent", query: { ...cases[0]!.query, agent: agentOf(quiet) }, agentId: quiet.id, urlQuery: `range=30d&agentId=${quiet.id}` });

  // Same answers both ways, or the comparison means nothing.
  const answers = new Map<string, OverviewFigures>();
  for (const item of cases) {
    const [fromCalls, fromRollups] = [await overviewFigures("calls", item.query), await overviewFigures("rollups", item.query)];
    const differs = sameFigures(fromCalls, fromRollups);
    if (differs) throw new Error(`${item.label}: the calls and the rollups disagree on ${differs}`);
    answers.set(item.label, fromCalls);
  }

  const model = await loadCostsModel();
  const results: Array<{ label: string; baseline: Summary; rollups: Summary; model: Summary | null; rows: number }> = [];
  for (const item of cases) {
    const expected = answers.get(item.label)!;
    let modelTimes: Summary | null = null;
    if (model?.costOverview) {
      const input = { orgId, from: item.query.from, to: item.query.to, agentId: item.agentId, now: new Date(now) };
      const overview = await model.costOverview(input);
      if (Math.abs(overview.range.cost - expected.range.cost) > 1e-6 * Math.max(1, expected.range.cost)) {
        throw new Error(`${item.label}: costOverview says ${overview.range.cost} for the range, the raw calls ${expected.range.cost}`);
      }
      modelTimes = await timeSerial(() => model.costOverview!(input), { runs: options.runs, warmup: 10 });
    }
    const baseline = await timeSerial(() => overviewFigures("calls", item.query), { runs: options.baselineRuns, warmup: 2 });
    const rollups = await timeSerial(() => overviewFigures("rollups", item.query), { runs: options.runs, warmup: 10 });
    results.push({ label: item.label, baseline, rollups, model: modelTimes, rows: expected.range.calls });
  }

  row(["range", "calls in range", "baseline: raw calls p50 / p95 ms", "rollup reference p50 / p95 ms", "costOverview p50 / p95 ms", "ratio p95 (baseline / measured)", `p95 < ${COSTS_LOADER_P95_TARGET_MS} ms`]);
  row(["---", "---:", "---:", "---:", "---:", "---:", "---"]);
  for (const result of results) {
    const measured = result.model ?? result.rollups;
    row([
      result.label,
      result.rows.toLocaleString("en"),
      `${ms(result.baseline.p50)} / ${ms(result.baseline.p95)} (${result.baseline.n} runs)`,
      `${ms(result.rollups.p50)} / ${ms(result.rollups.p95)}`,
      result.model ? `${ms(result.model.p50)} / ${ms(result.model.p95)}` : "not landed",
      ratio(result.baseline.p95 / measured.p95),
      verdict(measured.p95, COSTS_LOADER_P95_TARGET_MS),
    ]);
  }
  console.log(
    model?.costOverview
      ? "\nMeasured: costOverview() from app/models/costs.server.ts, called in this process (range cost checked against the raw calls first)."
      : "\ncostOverview() has not landed (app/models/costs.server.ts): the verdict is the rollup reference's (the same statements as the baseline, over the rollups).",
  );

  await benchHome({ model, orgId, today, monthStart, runs: options.runs, baselineRuns: options.baselineRuns, now });
  if (options.server) await benchCostsHttp(options.server, options.sessionToken, cases, options.runs);
  return { seeded, results };
}

async function benchHome(input: { model: CostsModel | null; orgId: string; today: string; monthStart: string; runs: number; baselineRuns: number; now: number }) {
  const { model, orgId, today, monthStart } = input;
  // The home's cost card: today, month, the last 8 days (sparkline, projection), budgets, freshness.
  const query: OverviewQuery = { orgId, timeZone: TIME_ZONE, from: today, to: today, today, monthStart };
  const baseline = await timeSerial(() => overviewFigures("calls", query), { runs: input.baselineRuns, warmup: 2 });
  const rollups = await timeSerial(() => overviewFigures("rollups", query), { runs: input.runs, warmup: 10 });
  const summary = model?.homeCostSummary
    ? await timeSerial(() => model.homeCostSummary!(orgId, new Date(input.now)), { runs: input.runs, warmup: 10 })
    : null;
  console.log(`\n### Home: the cost card's figures\n`);
  row(["", "p50 ms", "p95 ms", "runs", "ratio p95 (baseline / this)", `p95 < ${HOME_LOADER_P95_TARGET_MS} ms`]);
  row(["---", "---:", "---:", "---:", "---:", "---"]);
  row(["baseline: today, month, all time, last 8 days, budgets from the raw calls", ms(baseline.p50), ms(baseline.p95), baseline.n, "1x", verdict(baseline.p95, HOME_LOADER_P95_TARGET_MS)]);
  row(["rollup reference: the same from usage_daily", ms(rollups.p50), ms(rollups.p95), rollups.n, ratio(baseline.p95 / rollups.p95), verdict(rollups.p95, HOME_LOADER_P95_TARGET_MS)]);
  if (summary) row(["homeCostSummary(orgId)", ms(summary.p50), ms(summary.p95), summary.n, ratio(baseline.p95 / summary.p95), verdict(summary.p95, HOME_LOADER_P95_TARGET_MS)]);
  else console.log("\nhomeCostSummary() has not landed: the rollup reference stands in for it.");
}

/** The real loaders through HTTP on the built server: the costs page's and the home's (single fetch `.data`). */
async function benchCostsHttp(server: SpawnedServer, sessionToken: string, cases: Array<{ label: string; urlQuery: string }>, runs: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { Cookie: `mc_session=${sessionToken}` };
  const costsRoute = existsSync(path.join(REPO_ROOT, "app", "routes", "_app.monitoring.costs.tsx"));
  console.log(`\n### Over HTTP (built server, session cookie, one request at a time)\n`);
  try {
    const health = await timeSerial(() => get(`${server.url}/health`, { agent }), { runs: 200, warmup: 20 });
    const targets: Array<{ label: string; url: string; target: number }> = [
      { label: "GET /.data (home loader)", url: `${server.url}/_root.data?_routes=${encodeURIComponent("routes/_app._index")}`, target: HOME_LOADER_P95_TARGET_MS },
    ];
    if (costsRoute) {
      for (const item of cases) {
        targets.push({
          label: `GET /monitoring/costs.data (${item.label})`,
          url: `${server.url}/monitoring/costs.data?${item.urlQuery}&_routes=${encodeURIComponent("routes/_app.monitoring.costs")}`,
          target: COSTS_LOADER_P95_TARGET_MS,
        });
      }
    }
    row(["request", "runs", "p50 ms", "p95 ms", "body", "p50 vs /health", "target"]);
    row(["---", "---:", "---:", "---:", "---:", "---:", "---"]);
    row(["GET /health (floor)", health.n, ms(health.p50), ms(health.p95), "-", "1x", ""]);
    for (const target of targets) {
      const probe = await get(target.url, { agent, headers });
      if (probe.status !== 200) {
        row([target.label, 0, "-", "-", "-", "-", `skipped: answered ${probe.status} (a build older than the route? run \`npm run build\`)`]);
        continue;
      }
      const timed = await timeSerial(() => get(target.url, { agent, headers }), { runs, warmup: 10 });
      row([target.label, timed.n, ms(timed.p50), ms(timed.p95), `${(probe.bytes / 1024).toFixed(1)} kB`, ratio(timed.p50 / health.p50), `p95 < ${target.target} ms: ${verdict(timed.p95, target.target)}`]);
    }
    if (!costsRoute) console.log("\nThe costs page (app/routes/_app.monitoring.costs.tsx) has not landed: only the home is measured over HTTP.");
  } finally {
    agent.destroy();
  }
}

export type { CostsSeeded };
