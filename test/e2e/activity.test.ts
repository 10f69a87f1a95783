import { mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { apiSignIn, startServer, type StartedServer } from "../support/server";

/*
 * Activity that leads somewhere (issue 11, points 5 and 6), in Chromium against the built server:
 * an entry is a link to what it describes, a restart's reconnects are one line while an outage
 * keeps its lines, and the home's activity lines fit a phone.
 */
let server: StartedServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const USER = "operator";
const PASSWORD = "operator-password-1";
const LONG_TITLE = "Rotate the staging gateway token and re-pair every device listed under the lab's devices page";
const GATEWAYS = ["Home lab", "Edge-cluster-frankfurt-02", "Office", "Build farm", "Staging"];
const SCREENSHOTS = process.env.MC_SHOTS_DIR;
let taskId = "";
let novaId = "";

async function shots(name: string) {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A feed as an operator's looks after a day: gateways, a restart, an outage, an agent and tasks. */
async function seed() {
  const token = await apiSignIn(server.url, USER, PASSWORD);
  const api = async (url: string, body: unknown): Promise<Record<string, { id: string }>> => {
    const response = await fetch(server.url + url, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (response.status !== 201) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Record<string, { id: string }>;
  };
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  try {
    const { rows: [org] } = await client.query<{ id: string }>("select id from organizations limit 1");
    const ids: string[] = [];
    for (const [i, name] of GATEWAYS.entries()) {
      const { rows } = await client.query<{ id: string }>(
        "insert into gateways (org_id, name, url, url_key, state) values ($1, $2, $3, $3, 'online') returning id",
        [org!.id, name, `ws://10.0.0.${i + 1}:18789`],
      );
      ids.push(rows[0]!.id);
    }
    const line = (state: string, gateway: number, minutesAgo: number) =>
      client.query(
        `insert into activity_events (org_id, type, message, actor_type, actor_name, data, created_at)
         values ($1, 'gateway_status_changed', $2, 'system', 'System', $3, now() - make_interval(secs => $4))`,
        [org!.id, `Gateway ${GATEWAYS[gateway]} is ${state}`, JSON.stringify({ gatewayId: ids[gateway], state }), minutesAgo * 60],
      );
    // an outage an hour ago: offline for twenty minutes
    await line("offline", 1, 80);
    await line("connecting", 1, 79);
    await line("online", 1, 60);
    // a restart of Mission Control ten minutes ago: every gateway reconnects within seconds
    for (const [i] of GATEWAYS.entries()) await line("connecting", i, 10);
    for (const [i] of GATEWAYS.entries()) await line("online", i, 9.95);
    // two agents called "main", on two gateways, as discovery writes them
    for (const gateway of [0, 1]) {
      const { rows: [main] } = await client.query<{ id: string }>(
        "insert into agents (org_id, name, role, status, avatar_color, source, gateway_id, external_id) values ($1, 'main', 'Main', 'online', '#6d8bff', 'gateway', $2, 'main') returning id",
        [org!.id, ids[gateway]],
      );
      // each with its main session, and what it last said
      await client.query(
        `insert into agent_sessions (org_id, gateway_id, session_key, agent_id, external_agent_id, type, model, last_message, last_activity_at)
         values ($1, $2, 'agent:main:main', $3, 'main', 'main', 'gpt-5', 'Checked the nightly build', now() - interval '2 minutes')`,
        [org!.id, ids[gateway], main!.id],
      );
      await client.query(
        `insert into activity_events (org_id, type, message, actor_type, actor_id, actor_name, agent_id, data, created_at)
         values ($1, 'agent.message', $2, 'agent', $3::text, 'main', $3::uuid, $4, now() - interval '2 minutes')`,
        [org!.id, `main: Checked the nightly build on ${GATEWAYS[gateway]}`, main!.id, JSON.stringify({ sessionKey: "agent:main:main", gatewayId: ids[gateway], kind: "message" })],
      );
    }
  } finally {
    await client.end();
  }
  const { agent } = await api("/api/agents", { name: "Nova", role: "Research" });
  const { task } = await api("/api/tasks", { title: LONG_TITLE, status: "todo", priority: "high", assignedAgent: agent!.id });
  taskId = task!.id;
  novaId = agent!.id;
  expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
  await api("/api/tasks", { title: "Write the release notes", status: "backlog" });
}

beforeAll(async () => {
  // no ingest: the gateways seeded here are rows, not sockets, so nothing else writes their state
  server = await startServer({ env: { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD, ADMIN_ORG_NAME: "Acme Robotics", MC_ROLES: "web,jobs" } });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(server.url + "/login");
  await page.fill("[name=username]", USER);
  await page.fill("[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.locator("h1", { hasText: "Dashboard" }).waitFor();
  await seed();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("activity that leads somewhere", () => {
  it("the home's activity entry leads to its task", async () => {
    await page.goto(server.url + "/");
    const entry = page.getByTestId("recent-activity").getByRole("link", { name: `created task: ${LONG_TITLE}` });
    await entry.click();
    await page.waitForURL(`${server.url}/tasks/${taskId}`);
    await page.locator("h1", { hasText: LONG_TITLE }).waitFor();
  });

  it("the feed collapses the restart into one line, keeps the outage, and links the board and agent of a task", async () => {
    await page.goto(server.url + "/activity");
    const feed = page.getByTestId("activity-feed");
    await feed.getByRole("link", { name: /^5 gateways reconnected \(Home lab, Edge-cluster-frankfurt-02, Office and 2 more\)$/ }).waitFor();
    const messages = await feed.locator("[data-testid=activity-entry] p:first-child").allTextContents();
    expect(messages.filter((m) => / is (connecting|online|offline)$/.test(m))).toEqual([
      "Gateway Edge-cluster-frankfurt-02 is online",
      "Gateway Edge-cluster-frankfurt-02 is connecting",
      "Gateway Edge-cluster-frankfurt-02 is offline",
    ]);
    const created = feed.getByTestId("activity-entry").filter({ hasText: `created task: ${LONG_TITLE}` });
    await expect(created.getByRole("link", { name: /^Agent/ }).getAttribute("href")).resolves.toMatch(/^\/agents\/[0-9a-f-]{36}$/);
    await expect(created.getByRole("link", { name: /^Board/ }).getAttribute("title")).resolves.toBe("Board: General");
    await shots("activity-feed");
    await created.getByRole("link", { name: `created task: ${LONG_TITLE}` }).click();
    await page.waitForURL(`${server.url}/tasks/${taskId}`);
  });

  it("the home's activity lines fit a phone: no sideways scroll, times on one line, long sentences cut with a tooltip", async () => {
    await page.setViewportSize({ width: 390, height: 900 });
    await page.goto(server.url + "/");
    const lines = page.getByTestId("recent-activity").getByTestId("activity-entry");
    await lines.first().waitFor();
    // measured once the page is live (the header's "Connecting…" is wider than "Live"; that is the shell's to fit)
    await page.locator("[data-live-status=live]").waitFor();
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    const fit = await lines.evaluateAll((items) =>
      items.map((item) => {
        const time = item.querySelector("time")!;
        const message = item.firstElementChild as HTMLElement;
        return {
          timeOneLine: time.getClientRects().length === 1 && time.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(time).lineHeight),
          inside: item.getBoundingClientRect().right <= document.documentElement.clientWidth,
          cut: message.scrollWidth > message.clientWidth,
          title: message.getAttribute("title"),
          text: message.textContent,
        };
      }),
    );
    expect(fit.every((line) => line.timeOneLine && line.inside)).toBe(true);
    const long = fit.find((line) => line.text?.includes(LONG_TITLE))!;
    expect(long).toMatchObject({ cut: true, title: expect.stringContaining(LONG_TITLE) });
    await page.setViewportSize({ width: 1280, height: 900 });
    await shots("home");
  });

  it("an agent's page names and links its gateway when the organization has several", async () => {
    await page.goto(server.url + "/agents");
    await page.getByRole("link", { name: "main" }).first().waitFor();
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    const { rows: [agent] } = await client.query<{ id: string; gateway_id: string }>("select a.id, a.gateway_id from agents a join gateways g on g.id = a.gateway_id where g.name = $1", [GATEWAYS[1]]);
    await client.end();
    await page.goto(`${server.url}/agents/${agent!.id}`);
    await page.getByTestId("agent-gateway").click();
    await page.waitForURL(`${server.url}/gateways/${agent!.gateway_id}`);
    await page.goBack();
    await page.getByTestId("agent-gateway").waitFor();
    await shots("agent");

    // the agent activity of that gateway's main session leads to that session
    await page.goto(server.url + "/activity");
    await page.getByRole("link", { name: `main: Checked the nightly build on ${GATEWAYS[1]}` }).click();
    await page.waitForURL(/\/monitoring\/sessions\/[0-9a-f-]{36}$/);
    await page.getByText(GATEWAYS[1]).first().waitFor();

    // and an agent's own recent activity leads to its tasks too
    await page.goto(`${server.url}/agents/${novaId}`);
    await expect(page.getByTestId("recent-activity").getByRole("link", { name: `created task: ${LONG_TITLE}` }).getAttribute("href")).resolves.toBe(`/tasks/${taskId}`);
  });

  it("the sessions filter offers each gateway's 'main' and shows only the one chosen", async () => {
    await page.goto(server.url + "/monitoring/sessions");
    const options = await page.locator("select[name=agent] option").allTextContents();
    expect(options.filter((o) => o.startsWith("main"))).toEqual([`main · ${GATEWAYS[1]}`, `main · ${GATEWAYS[0]}`].sort());
    await page.selectOption("select[name=agent]", { label: `main · ${GATEWAYS[1]}` });
    await page.waitForURL(/agent=/);
    // the address changes when the navigation commits; the rows render just after it: wait for the other gateway's row to go
    const gatewayCells = page.locator("[data-testid=session-row] [data-testid=session-gateway]");
    await gatewayCells.filter({ hasText: `on ${GATEWAYS[0]}` }).first().waitFor({ state: "detached" });
    await expect(gatewayCells.allTextContents()).resolves.toEqual([`on ${GATEWAYS[1]}`]);
    await shots("sessions-filtered");
  });
});
