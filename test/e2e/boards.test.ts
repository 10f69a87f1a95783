import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { startServer, type StartedServer } from "../support/server";

/*
 * The foundation end to end, in Chromium against the built server: first-run set-up, a board,
 * tasks with tags, moving a task by drag-and-drop and by the plain form with JavaScript off,
 * filters, the activity feed, and an API token used from outside the browser.
 */
let server: StartedServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let boardUrl = "";
const USER = "operator";
const PASSWORD = "operator-password-1";

async function column(page: Page, label: string) {
  return page.locator(`section[aria-label="${label}"]`);
}

async function createTask(page: Page, task: { title: string; status: string; priority: string; tags: string }) {
  const details = page.locator("details", { has: page.locator("summary", { hasText: "New task" }) });
  if (!(await details.evaluate((el: HTMLDetailsElement) => el.open))) await details.locator("summary").click();
  await page.fill("#create-task [name=title]", task.title);
  await page.selectOption("#create-task [name=status]", task.status);
  await page.selectOption("#create-task [name=priority]", task.priority);
  await page.fill("#create-task [name=tags]", task.tags);
  await page.click("#create-task button[type=submit]");
  await page.locator('[data-testid="task-card"]', { hasText: task.title }).waitFor();
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("foundation in a browser", () => {
  it("sends the first visitor to set-up, validates it, and creates the owner", async () => {
    await page.goto(server.url + "/");
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("[name=orgName]", "Acme Robotics");
    await page.fill("[name=username]", USER);
    await page.fill("[name=password]", "short");
    await page.fill("[name=confirmPassword]", "short");
    await page.click("button[type=submit]");
    await expect(page.locator("text=Password must be at least 10 characters").first().isVisible()).resolves.toBe(true);
    await page.fill("[name=password]", PASSWORD);
    await page.fill("[name=confirmPassword]", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForURL(server.url + "/");
    await page.locator("h1", { hasText: "Dashboard" }).waitFor();
  });

  it("creates a board and tasks with tags", async () => {
    await page.goto(server.url + "/boards");
    await page.fill("#create-board [name=name]", "Launch");
    await page.fill("#create-board [name=objective]", "Ship v2");
    await page.click("#create-board button[type=submit]");
    await page.waitForURL(/\/boards\/[0-9a-f-]{36}$/);
    boardUrl = page.url();
    await page.locator("h1", { hasText: "Launch" }).waitFor();

    await createTask(page, { title: "Build rate limiter", status: "todo", priority: "high", tags: "backend, security" });
    await createTask(page, { title: "Write docs", status: "todo", priority: "low", tags: "docs" });
    await createTask(page, { title: "Plan launch party", status: "backlog", priority: "medium", tags: "" });
    const todo = await column(page, "To do");
    await expect(todo.locator('[data-testid="task-card"]').count()).resolves.toBe(2);
    await expect(todo.locator('[data-testid="task-card"]', { hasText: "Build rate limiter" }).locator("text=security").count()).resolves.toBe(1);
  });

  it("refuses an empty title with a message and writes nothing", async () => {
    const details = page.locator("details", { has: page.locator("summary", { hasText: "New task" }) });
    if (!(await details.evaluate((el: HTMLDetailsElement) => el.open))) await details.locator("summary").click();
    await page.fill("#create-task [name=title]", "   ");
    await page.click("#create-task button[type=submit]");
    await page.locator("#create-task >> text=Title is required").waitFor();
    await page.reload();
    await expect(page.locator('[data-testid="task-card"]').count()).resolves.toBe(3);
  });

  it("moves a task by drag-and-drop and the move persists", async () => {
    const card = page.locator('[data-testid="task-card"]', { hasText: "Build rate limiter" });
    const target = await column(page, "In progress");
    await card.dragTo(target);
    await target.locator('[data-testid="task-card"]', { hasText: "Build rate limiter" }).waitFor();
    // wait for the server to agree: after a reload the card is still there
    await page.waitForLoadState("networkidle");
    await page.reload();
    await expect((await column(page, "In progress")).locator('[data-testid="task-card"]', { hasText: "Build rate limiter" }).count()).resolves.toBe(1);
  });

  it("filters by tag and by priority", async () => {
    await page.goto(boardUrl);
    const tagId = await page.locator("select[name=tag] option", { hasText: "docs" }).getAttribute("value");
    await page.selectOption("select[name=tag]", tagId!);
    await page.waitForURL(/tag=/);
    await expect(page.locator('[data-testid="task-card"]').allTextContents()).resolves.toEqual([expect.stringContaining("Write docs")]);
    await page.goto(boardUrl + "?priority=high");
    await expect(page.locator('[data-testid="task-card"]').count()).resolves.toBe(1);
    await expect(page.locator('[data-testid="task-card"]').first().textContent()).resolves.toContain("Build rate limiter");
  });

  it("signs in and moves a task with JavaScript disabled", async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1400, height: 900 } });
    try {
      const p = await noJs.newPage();
      await p.goto(server.url + "/login");
      await p.fill("[name=username]", USER);
      await p.fill("[name=password]", "wrong-password-123");
      await p.click("button[type=submit]");
      await p.locator("text=do not match").waitFor();
      await p.fill("[name=password]", PASSWORD);
      await p.click("button[type=submit]");
      await p.waitForURL(server.url + "/");
      await p.goto(boardUrl);
      // create a task with a plain form post
      await p.locator("summary", { hasText: "New task" }).click();
      await p.fill("#create-task [name=title]", "Made without JavaScript");
      await p.selectOption("#create-task [name=status]", "todo");
      await p.click("#create-task button[type=submit]");
      await p.waitForLoadState("load");
      const card = p.locator('[data-testid="task-card"]', { hasText: "Write docs" });
      await card.locator("summary", { hasText: "Move" }).click();
      await card.locator("select[name=status]").selectOption("review");
      await card.locator("button", { hasText: "Move" }).click();
      await p.waitForLoadState("load");
      await p.goto(boardUrl);
      await expect(p.locator('section[aria-label="Review"] [data-testid="task-card"]', { hasText: "Write docs" }).count()).resolves.toBe(1);
      await expect(p.locator('section[aria-label="To do"] [data-testid="task-card"]', { hasText: "Made without JavaScript" }).count()).resolves.toBe(1);
    } finally {
      await noJs.close();
    }
  });

  it("shows every change in the activity feed", async () => {
    await page.goto(server.url + "/activity");
    const text = await page.locator("main").textContent();
    expect(text).toContain("created task: Build rate limiter");
    expect(text).toContain("moved Build rate limiter to In progress");
    expect(text).toContain("moved Write docs to Review");
  });

  it("creates an API token that works with fetch and is shown only once", async () => {
    await page.goto(server.url + "/settings/tokens");
    await page.fill("input[name=name]", "ci-agent");
    await page.locator("form", { has: page.locator("input[name=name]") }).locator("button[type=submit]").click();
    await page.waitForFunction(() => /mc_[a-z2-7]{32}/.test(document.body.innerText + Array.from(document.querySelectorAll("input")).map((i) => i.value).join(" ")));
    const token = await page.evaluate(() => {
      const haystack = document.body.innerText + " " + Array.from(document.querySelectorAll("input")).map((i) => i.value).join(" ");
      return haystack.match(/mc_[a-z2-7]{32}/)![0];
    });
    const list = await fetch(server.url + "/api/tasks", { headers: { Authorization: `Bearer ${token}` } });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { tasks: Array<{ title: string; tags: string[] }> };
    expect(body.tasks.map((t) => t.title)).toEqual(expect.arrayContaining(["Build rate limiter", "Write docs"]));
    const created = await fetch(server.url + "/api/tasks", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ title: "From the API", status: "todo", priority: "critical", tags: ["api"] }),
    });
    expect(created.status).toBe(201);
    // the token is not shown again
    await page.goto(server.url + "/settings/tokens");
    expect(await page.content()).not.toContain(token);
    await page.goto(server.url + "/activity");
    await expect(page.locator("main").textContent()).resolves.toContain("ci-agent created task: From the API");
  });

  it("bounds a long column to 50 cards with a 'Show more' that works with and without JavaScript", async () => {
    // 130 more backlog tasks in one statement (what is tested is the page, not creating them)
    const boardId = new URL(boardUrl).pathname.split("/").pop()!;
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      await client.query(
        `insert into tasks (org_id, board_id, title, status, priority, position, created_by)
         select b.org_id, b.id, 'Bulk task ' || n, 'backlog', case when n % 2 = 0 then 'low' else 'high' end, 100000 + n, 'seed'
           from boards b, generate_series(1, 130) as n where b.id = $1`,
        [boardId],
      );
    } finally {
      await client.end();
    }
    const backlogCount = 131; // "Plan launch party" + 130

    const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1400, height: 900 } });
    try {
      const p = await noJs.newPage();
      await p.goto(server.url + "/login");
      await p.fill("[name=username]", USER);
      await p.fill("[name=password]", PASSWORD);
      await p.click("button[type=submit]");
      await p.waitForURL(server.url + "/");
      await p.goto(boardUrl);
      const backlog = p.locator('section[aria-label="Backlog"]');
      await expect(backlog.locator('[data-testid="task-card"]').count()).resolves.toBe(50);
      await expect(backlog.locator('[data-testid="column-total"]').textContent()).resolves.toBe(String(backlogCount));
      await backlog.getByRole("link", { name: "Show 50 more" }).click();
      await p.waitForURL(/show\.backlog=100/);
      await expect(backlog.locator('[data-testid="task-card"]').count()).resolves.toBe(100);
      await backlog.getByRole("link", { name: "Show 31 more" }).click();
      await p.waitForURL(/show\.backlog=150/);
      await expect(backlog.locator('[data-testid="task-card"]').count()).resolves.toBe(backlogCount);
      await expect(backlog.locator('[data-testid="show-more"]').count()).resolves.toBe(0);
      // the filters submit with their button when nothing submits them on change
      await p.selectOption("#filter-priority", "high");
      await p.getByRole("button", { name: "Filter" }).click();
      await p.waitForURL(/priority=high/);
      await expect(backlog.locator('[data-testid="column-total"]').textContent()).resolves.toBe("65");
      await expect(backlog.locator('[data-testid="task-card"]').count()).resolves.toBe(50);
    } finally {
      await noJs.close();
    }

    // with JavaScript the link loads in place: no new document
    await page.goto(boardUrl);
    const backlog = page.locator('section[aria-label="Backlog"]');
    await expect(backlog.locator('[data-testid="task-card"]').count()).resolves.toBe(50);
    await page.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));
    await backlog.getByRole("link", { name: "Show 50 more" }).click();
    await page.waitForURL(/show\.backlog=100/);
    await backlog.locator('[data-testid="task-card"]').nth(99).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    // a card dropped below the last shown one lands right after it (the first card "Show more" reveals),
    // not at the end of the column behind every hidden card. A viewport tall enough for the whole
    // column (cards carry a priority chip row): a real drag cannot scroll on the way.
    const tall = await browser.newContext({ viewport: { width: 1400, height: 16_000 }, storageState: await context.storageState() });
    try {
      const t = await tall.newPage();
      await t.goto(`${boardUrl}?show.backlog=100`);
      const column = t.locator('section[aria-label="Backlog"]');
      await t.locator('[data-testid="task-card"]', { hasText: "Write docs" }).dragTo(column.getByText(`100 of ${backlogCount} shown`));
      await column.locator('[data-testid="column-total"]', { hasText: String(backlogCount + 1) }).waitFor();
      await t.waitForLoadState("networkidle");
      await t.reload();
      await expect(column.locator('[data-testid="column-total"]').textContent()).resolves.toBe(String(backlogCount + 1));
      await column.getByRole("link", { name: "Show 32 more" }).click();
      await column.locator('[data-testid="task-card"]').nth(backlogCount).waitFor();
      await expect(column.locator('[data-testid="task-card"]').nth(100).textContent()).resolves.toContain("Write docs");
    } finally {
      await tall.close();
    }
  });
});
