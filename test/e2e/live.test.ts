import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { FrameReader } from "../support/sse";
import { spawnBuiltServer, startServer, type SpawnedServer, type StartedServer } from "../support/server";

/*
 * Live updates in Chromium: two tabs on one board, changes through the REST API, and a second app
 * process on the same database (a change made through one process reaches a browser on the other).
 */
let server: StartedServer;
let second: SpawnedServer;
let browser: Browser;
let token = "";
let boardId = "";
const USER = "live-operator";
const PASSWORD = "live-operator-password";

async function signIn(page: Page, base: string) {
  await page.goto(base + "/login");
  await page.fill("[name=username]", USER);
  await page.fill("[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(base + "/");
}

function card(page: Page, column: string, title: string) {
  return page.locator(`section[aria-label="${column}"] [data-testid="task-card"]`, { hasText: title });
}

async function api(base: string, path: string, init: RequestInit = {}) {
  const response = await fetch(base + path, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<any>;
}

beforeAll(async () => {
  server = await startServer({ env: { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD, ADMIN_ORG_NAME: "Live Org" } });
  // The second process shares the database (and so the event log and NOTIFY), not the port.
  second = await spawnBuiltServer({ databaseUrl: server.databaseUrl, env: { MC_ROLES: "web" } });
  browser = await launchBrowser();
  // An API token, created through the settings page like a person would.
  const page = await browser.newPage();
  await signIn(page, server.url);
  await page.goto(server.url + "/settings/tokens");
  await page.fill("input[name=name]", "live-bot");
  await page.locator("form", { has: page.locator("input[name=name]") }).locator("button[type=submit]").click();
  await page.waitForFunction(() => /mc_[a-z2-7]{32}/.test(document.body.innerText + Array.from(document.querySelectorAll("input")).map((i) => i.value).join(" ")));
  token = await page.evaluate(() => (document.body.innerText + " " + Array.from(document.querySelectorAll("input")).map((i) => i.value).join(" ")).match(/mc_[a-z2-7]{32}/)![0]);
  await page.close();
  const { task } = await api(server.url, "/api/tasks", { method: "POST", body: JSON.stringify({ title: "Seed task", status: "todo" }) });
  boardId = task.boardId;
});

afterAll(async () => {
  await browser?.close();
  await second?.stop();
  await server?.stop();
});

describe("live updates in the browser", () => {
  it("keeps two tabs on one board in sync without reloading or losing what is typed", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const tabA = await context.newPage();
    const tabB = await context.newPage();
    await signIn(tabA, server.url);
    await tabA.goto(`${server.url}/boards/${boardId}`);
    await tabB.goto(`${server.url}/boards/${boardId}`);
    await tabB.locator('[data-live-status="live"]').waitFor();
    await tabA.locator('[data-live-status="live"]').waitFor();

    // B starts typing a new task and leaves it unsent
    await tabB.locator("summary", { hasText: "New task" }).click();
    await tabB.fill("#create-task [name=title]", "half-typed in tab B");

    // A creates a task and moves the seed task
    await tabA.locator("summary", { hasText: "New task" }).click();
    await tabA.fill("#create-task [name=title]", "Created in tab A");
    await tabA.click("#create-task button[type=submit]");
    await card(tabA, "To do", "Created in tab A").waitFor();
    await card(tabB, "To do", "Created in tab A").waitFor({ timeout: 5000 });

    await card(tabA, "To do", "Seed task").locator("summary", { hasText: "Move" }).click();
    await card(tabA, "To do", "Seed task").locator("select[name=status]").selectOption("review");
    await card(tabA, "To do", "Seed task").locator("button", { hasText: "Move" }).click();
    await card(tabB, "Review", "Seed task").waitFor({ timeout: 5000 });

    expect(await tabB.inputValue("#create-task [name=title]")).toBe("half-typed in tab B");
    // B never navigated: the same document is still loaded
    expect(await tabB.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(1);
    await context.close();
  });

  it("shows changes made through the REST API on the board and in the activity feed", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await signIn(page, server.url);
    await page.goto(`${server.url}/boards/${boardId}`);
    await page.locator('[data-live-status="live"]').waitFor();
    const { task } = await api(server.url, "/api/tasks", { method: "POST", body: JSON.stringify({ title: "From an agent", status: "backlog", priority: "high" }) });
    await card(page, "Backlog", "From an agent").waitFor({ timeout: 5000 });
    await api(server.url, `/api/tasks/${task.id}`, { method: "PATCH", body: JSON.stringify({ status: "in-progress" }) });
    await card(page, "In progress", "From an agent").waitFor({ timeout: 5000 });
    await api(server.url, `/api/tasks/${task.id}`, { method: "DELETE" });
    await card(page, "In progress", "From an agent").waitFor({ state: "detached", timeout: 5000 });

    await page.goto(`${server.url}/activity`);
    await page.locator('[data-live-status="live"]').waitFor();
    await api(server.url, "/api/tasks", { method: "POST", body: JSON.stringify({ title: "Feed item" }) });
    await page.locator("main", { hasText: "live-bot created task: Feed item" }).waitFor({ timeout: 5000 });
    await context.close();
  });

  it("updates the agents list live", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, server.url);
    await page.goto(`${server.url}/agents`);
    await page.locator('[data-live-status="live"]').waitFor();
    const { agent } = await api(server.url, "/api/agents", { method: "POST", body: JSON.stringify({ name: "Nova", role: "Research" }) });
    await page.locator("main", { hasText: "Nova" }).waitFor({ timeout: 5000 });
    await api(server.url, `/api/agents/${agent.id}`, { method: "PATCH", body: JSON.stringify({ status: "busy" }) });
    await page.locator("main [data-agent-status='busy']:visible").first().waitFor({ timeout: 5000 });
    await context.close();
  });

  it("shows a change made after the page loaded but before its stream subscribed", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, server.url);
    // Hold the page's event stream until a change has been committed: that change is in neither the
    // loader's answer nor the stream, unless the page revalidates once its stream is ready.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let sawStream!: () => void;
    const streamAsked = new Promise<void>((resolve) => (sawStream = resolve));
    await page.route(/\/events\?/, async (route) => {
      sawStream();
      await held;
      await route.continue();
    });
    await page.goto(`${server.url}/agents`);
    await streamAsked;
    await api(server.url, "/api/agents", { method: "POST", body: JSON.stringify({ name: "Between", role: "Research" }) });
    release();
    await page.locator('[data-live-status="live"]').waitFor();
    await page.locator("main", { hasText: "Between" }).waitFor({ timeout: 5000 });
    await context.close();
  });

  it("serves GET /events on the built server uncompressed, without topics, with every frame's id", async () => {
    const abort = new AbortController();
    const response = await fetch(`${server.url}/events`, { headers: { Authorization: `Bearer ${token}`, "Accept-Encoding": "gzip, br" }, signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("content-encoding")).toBeNull();
    const frames = new FrameReader(response.body!);
    const ready = await frames.next((f) => f.event === "ready");
    expect(JSON.parse(ready.data!)).toEqual({ topics: null, lastEventId: ready.id });
    await api(server.url, "/api/agents", { method: "POST", body: JSON.stringify({ name: "Streamed", role: "Ops" }) });
    const created = await frames.next((f) => f.event === "agent.created");
    expect(BigInt(created.id!)).toBeGreaterThan(BigInt(ready.id!));
    abort.abort();
  });

  it("carries a change made through one process to a browser connected to another", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await signIn(page, second.url);
    await page.goto(`${second.url}/boards/${boardId}`);
    await page.locator('[data-live-status="live"]').waitFor();
    // written through the first process's API
    await api(server.url, "/api/tasks", { method: "POST", body: JSON.stringify({ title: "Across processes", status: "todo" }) });
    await card(page, "To do", "Across processes").waitFor({ timeout: 5000 });
    await context.close();
  });
});
