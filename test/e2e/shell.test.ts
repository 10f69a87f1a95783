import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { REPO_ROOT, spawnBuiltServer, startServer, type SpawnedServer, type StartedServer } from "../support/server";

/*
 * The app shell in Chromium: the live indicator on every signed-in page (the list comes from the
 * route files), the phone menu and /search without JavaScript, the command palette, and a click
 * made while the server is down (ADR 024). Sessions come from the recorded 2026.7.35 transcripts.
 */
const SAMPLES = path.resolve(REPO_ROOT, "..", "shared", "openclaw", "samples", "v2026.7.35");
const USER = "shell-operator";
const PASSWORD = "shell-operator-password";
const ENV = { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD, ADMIN_ORG_NAME: "Shell Org" };
const SHOTS = process.env.MC_SHOTS_DIR;

let stateDir: string;
let server: StartedServer;
let restarted: SpawnedServer | undefined;
let browser: Browser;
/** a real row for each route parameter */
const ids: Record<string, string[]> = {};

async function signIn(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(server.url + "/login");
  await page.fill("[name=username]", USER);
  await page.fill("[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(server.url + "/");
  return page;
}

async function shoot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}-${page.viewportSize()!.width}.png`) });
}

const idFrom = (href: string | null) => href!.split("/").pop()!;

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), "mc-e2e-shell-state-"));
  const sessionsDir = path.join(stateDir, "agents", "main", "sessions");
  mkdirSync(sessionsDir, { recursive: true });
  for (const name of ["sessions.json", "5f6afa8c-0402-4922-b4f9-f49f6cac1d0c.jsonl", "055f3b79-2bd4-4329-933a-4f35c76c6bc9.jsonl"]) {
    copyFileSync(path.join(SAMPLES, name), path.join(sessionsDir, name));
  }
  server = await startServer({ env: { ...ENV, OPENCLAW_STATE_DIR: stateDir } });
  browser = await launchBrowser();

  // one of each thing a page is about, made the way a person makes it
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await signIn(context);
  await page.goto(server.url + "/boards");
  ids.boardId = [idFrom(await page.locator('main a[href^="/boards/"]').first().getAttribute("href"))];
  await page.goto(`${server.url}/boards/${ids.boardId[0]}`);
  await page.locator("summary", { hasText: "New task" }).click();
  await page.fill("#create-task [name=title]", "Comet tail polish");
  await page.click("#create-task button[type=submit]");
  const taskLink = page.locator('a[href^="/tasks/"]', { hasText: "Comet tail polish" });
  await taskLink.first().waitFor({ state: "attached" });
  ids.taskId = [idFrom(await taskLink.first().getAttribute("href"))];

  await page.goto(server.url + "/agents");
  await page.fill("#create-agent [name=name]", "Comet scout");
  await page.click("#create-agent button[type=submit]");
  const agentLink = page.locator('main a[href^="/agents/"]', { hasText: "Comet scout" }).first();
  await agentLink.waitFor({ state: "attached" });
  ids.agentId = [idFrom(await agentLink.getAttribute("href"))];

  await page.goto(server.url + "/gateways");
  await page.fill("#add-gateway [name=name]", "Nowhere");
  await page.fill("#add-gateway [name=url]", "ws://127.0.0.1:9");
  await page.fill("#add-gateway [name=token]", "not-a-real-token");
  await page.click("#add-gateway button[type=submit]");
  await page.waitForURL(/\/gateways\/[0-9a-f-]{36}$/);
  ids.gatewayId = [idFrom(page.url())];

  await page.goto(server.url + "/monitoring/sessions");
  const sessionLink = page.locator('a[href^="/monitoring/sessions/"]').first();
  await sessionLink.waitFor({ state: "attached", timeout: 20_000 });
  ids.sessionId = [idFrom(await sessionLink.getAttribute("href"))];
  ids.section = ["costs", "crons", "system", "logs"];
  await context.close();
});

afterAll(async () => {
  await browser?.close();
  await restarted?.terminate();
  await server?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

/**
 * Every page under the app shell, from the route files: `_app.boards.$boardId.tsx` is
 * /boards/<a real board>. A layout (a file with children) is visited through its children.
 */
function signedInPages(): string[] {
  const files = readdirSync(path.join(REPO_ROOT, "app", "routes"))
    .filter((file) => file.startsWith("_app.") && file.endsWith(".tsx"))
    .map((file) => file.replace(/\.tsx$/, ""));
  const layouts = new Set(files.filter((name) => files.some((other) => other.startsWith(name + "."))));
  const urls: string[] = [];
  for (const name of files) {
    if (layouts.has(name)) continue;
    let paths = [""];
    for (const segment of name.split(".").slice(1)) {
      if (segment === "_index") continue;
      if (segment.startsWith("$")) {
        const values = ids[segment.slice(1)];
        if (!values) throw new Error(`${name}.tsx takes a ${segment} this test has no row for: add one in beforeAll.`);
        paths = paths.flatMap((p) => values.map((value) => `${p}/${value}`));
      } else {
        paths = paths.map((p) => `${p}/${segment}`);
      }
    }
    urls.push(...paths.map((p) => p || "/"));
  }
  return urls;
}

describe("the app shell", () => {
  it("shows the live indicator in the header of every signed-in page", async () => {
    const pages = signedInPages();
    expect(pages.length).toBeGreaterThan(20);
    expect(pages).toEqual(expect.arrayContaining(["/", "/monitoring", "/search", `/tasks/${ids.taskId![0]}`, `/monitoring/sessions/${ids.sessionId![0]}`]));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signIn(context);
    for (const url of pages) {
      const response = await page.goto(server.url + url);
      expect(response?.status(), url).toBe(200);
      await page.locator('[data-app-header] [data-live-status="live"]').waitFor({ timeout: 10_000 });
    }
    await context.close();
  });

  it("marks unbuilt areas Soon and opens a Monitoring overview", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signIn(context);
    const nav = page.locator('aside nav[aria-label="Main"]');
    await nav.locator('a[href="/office"]').waitFor();
    for (const label of ["Office", "Alerts", "Costs", "Crons", "System", "Logs"]) {
      await expect(nav.locator("a", { hasText: label }).locator("[data-soon]").count(), label).resolves.toBe(1);
    }
    for (const label of ["Boards", "Agents", "Sessions", "Gateways"]) {
      await expect(nav.locator("a", { hasText: label }).first().locator("[data-soon]").count(), label).resolves.toBe(0);
    }
    expect(await nav.locator("svg[aria-hidden]").count()).toBe(9);
    await shoot(page, "home");
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot(page, "home");
    await page.setViewportSize({ width: 1280, height: 900 });
    await nav.locator("a", { hasText: "Monitoring" }).click();
    await page.waitForURL(server.url + "/monitoring");
    await page.locator("h1", { hasText: "Monitoring" }).waitFor();
    const sections = page.locator('[aria-label="Monitoring sections"] li');
    expect(await sections.count()).toBe(5);
    await expect(sections.filter({ hasText: "Sessions" }).locator("[data-live-chip]").count()).resolves.toBe(1);
    await shoot(page, "monitoring");
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot(page, "monitoring");
    await context.close();
  });

  it("opens the phone menu and follows a link without JavaScript", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    const page = await signIn(context);
    const menu = page.locator("[data-phone-menu]");
    expect(await menu.locator('a[href="/agents"]').isVisible()).toBe(false);
    await menu.locator("summary").click();
    await menu.locator('a[href="/agents"]').waitFor({ state: "visible" });
    await shoot(page, "phone-menu");
    await menu.locator('a[href="/agents"]').click();
    await page.waitForURL(server.url + "/agents");
    await page.locator("h1", { hasText: "Agents" }).waitFor();
    await context.close();
  });

  it("closes the phone menu after a navigation with JavaScript", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await signIn(context);
    await page.locator('[data-live-status="live"]').waitFor();
    const menu = page.locator("[data-phone-menu]");
    await menu.locator("summary").click();
    await menu.locator('a[href="/boards"]').click();
    await page.waitForURL(server.url + "/boards");
    await menu.locator('a[href="/boards"]').waitFor({ state: "hidden" });
    await context.close();
  });

  it("jumps anywhere from the command palette: Ctrl-K, type, arrows, Enter; Escape closes it", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signIn(context);
    await page.locator('[data-live-status="live"]').waitFor();
    const palette = page.locator("dialog[data-command-palette]");
    await page.keyboard.press("Control+k");
    await palette.waitFor({ state: "visible" });
    const input = palette.getByRole("combobox");
    expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("Escape");
    await palette.waitFor({ state: "hidden" });

    await page.locator("[data-search-button]").click();
    await palette.waitFor({ state: "visible" });
    await input.fill("comet");
    const options = palette.getByRole("option");
    await palette.locator('[data-palette-option="agent"]').waitFor();
    await palette.locator('[data-palette-option="task"]').waitFor();
    // the first find is selected; the arrow moves on to the task
    const titles = await options.allInnerTexts();
    const taskIndex = titles.findIndex((t) => t.includes("Comet tail polish"));
    expect(await options.nth(0).getAttribute("aria-selected")).toBe("true");
    for (let i = 0; i < taskIndex; i++) await page.keyboard.press("ArrowDown");
    expect(await options.nth(taskIndex).getAttribute("aria-selected")).toBe("true");
    expect(await input.getAttribute("aria-activedescendant")).toBe(await options.nth(taskIndex).getAttribute("id"));
    await shoot(page, "palette");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${server.url}/tasks/${ids.taskId![0]}`);
    await palette.waitFor({ state: "hidden" });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.keyboard.press("Control+k");
    await palette.waitFor({ state: "visible" });
    await input.fill("scout");
    // the last finds stay while the next search runs, then give way to its answer
    await palette.locator('[data-palette-option="task"]').waitFor({ state: "detached" });
    await palette.locator('[data-palette-option="agent"]', { hasText: "Comet scout" }).waitFor();
    await shoot(page, "palette");
    await context.close();
  });

  it("does not run the palette's search again for every live event", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signIn(context);
    await page.locator('[data-live-status="live"]').waitFor();
    const searches: string[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/search.data") searches.push(request.url());
    });
    const palette = page.locator("dialog[data-command-palette]");
    await page.keyboard.press("Control+k");
    await palette.getByRole("combobox").fill("comet");
    await palette.locator('[data-palette-option="agent"]').waitFor();
    const asked = searches.length;
    expect(asked).toBeGreaterThan(0);
    // a change in the organization reaches the page, which revalidates its loaders
    const revalidated = page.waitForResponse((response) => new URL(response.url()).pathname.endsWith(".data") && new URL(response.url()).pathname !== "/search.data");
    const created = await context.request.post(server.url + "/agents", { form: { name: "Comet relay", role: "Dev", status: "offline" }, headers: { Origin: server.url } });
    expect(created.status()).toBe(200);
    await revalidated;
    expect(searches.length).toBe(asked);
    await context.close();
  });

  it("has a /search page with a GET form and grouped results that works without JavaScript", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    const page = await signIn(context);
    await page.locator("[data-search-button]").click();
    await page.waitForURL(server.url + "/search");
    await page.fill('form[role=search] [name=q]', "comet");
    await page.click('form[role=search] button[type=submit]');
    await page.waitForURL(server.url + "/search?q=comet");
    for (const group of ["Tasks", "Agents"]) await page.locator("h2", { hasText: group }).waitFor();
    await shoot(page, "search");
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot(page, "search");
    await page.locator('[data-search-hit="task"]', { hasText: "Comet tail polish" }).click();
    await page.waitForURL(`${server.url}/tasks/${ids.taskId![0]}`);
    // a percent sign is a character, not a wildcard
    await page.goto(server.url + "/search?q=%25");
    await page.locator("text=Nothing matches").waitFor();
    await context.close();
  });

  // last: it stops the server and starts another on the same port and database
  it("says Reconnecting… in the header when the stream drops; keeps the page and says so when a link is clicked while the server is down, then opens it", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signIn(context);
    await page.locator('[data-live-status="live"]').waitFor();
    // the shell imports every route's module while the server is up (Remix reloads the document when one fails)
    // (the Agents page's module and every module it imports have arrived)
    await page.waitForFunction(() => {
      const route = (window as unknown as { __remixManifest?: { routes: Record<string, { module: string; imports?: string[] }> } }).__remixManifest?.routes["routes/_app.agents._index"];
      if (!route) return false;
      const loaded = new Set(performance.getEntriesByType("resource").map((entry) => new URL(entry.name).pathname));
      return [route.module, ...(route.imports ?? [])].every((url) => loaded.has(url));
    });

    await server.terminate();
    await page.locator('[data-app-header] [data-live-status="reconnecting"]').waitFor();
    await page.locator('aside a[href="/agents"]').click();
    await page.locator("[data-reconnecting]").waitFor();
    expect(page.url()).toBe(server.url + "/");
    await page.locator("main h1").first().waitFor();
    await shoot(page, "reconnecting");
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot(page, "reconnecting");

    restarted = await spawnBuiltServer({ databaseUrl: server.databaseUrl, port: server.port, dataDir: server.dataDir, env: ENV });
    await page.waitForURL(server.url + "/agents", { timeout: 15_000 });
    await page.locator("main h1", { hasText: "Agents" }).waitFor();
    await page.locator("[data-reconnecting]").waitFor({ state: "detached" });
    await page.locator('[data-app-header] [data-live-status="live"]').waitFor({ timeout: 15_000 });
    // the same document all along: no reload, no browser error page
    expect(await page.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(1);
    await context.close();
  });

  it("lands on the sign-in page when the stream comes back refused, instead of reconnecting forever", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signIn(context);
    await page.locator('[data-app-header] [data-live-status="live"]').waitFor();
    // the session ends without a closing event: deleted while the server is down
    await restarted!.terminate();
    await page.locator('[data-app-header] [data-live-status="reconnecting"]').waitFor();
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    await client.query("delete from sessions");
    await client.end();
    restarted = await spawnBuiltServer({ databaseUrl: server.databaseUrl, port: server.port, dataDir: server.dataDir, env: ENV });
    // the page reloads, and the signed-out home sends it to sign-in
    await page.waitForURL(server.url + "/login", { timeout: 30_000 });
    await context.close();
  });
});
