import type { Browser, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { startServer, type StartedServer } from "../support/server";

/*
 * The finished look, in Chromium against the built server: what a new user sees first (the home
 * without a gateway says how to add one), a board description's markdown rendered and its hostile
 * HTML inert, the assignee picker on "Unassigned", and a submit button that is disabled and busy
 * while — and only while — its own request runs. The request is held with page.route and released
 * after the assertions, so nothing waits on a clock.
 */
let server: StartedServer;
let browser: Browser;
let page: Page;

const HOSTILE = '**Ship** it.\n\n<img src=x onerror="window.__owned = 1"> <script>window.__owned = 2</script>';

beforeAll(async () => {
  server = await startServer({ env: { ADMIN_USERNAME: "looker", ADMIN_PASSWORD: "looker-password-1", ADMIN_ORG_NAME: "Look Co" } });
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(server.url + "/login");
  await page.fill("[name=username]", "looker");
  await page.fill("[name=password]", "looker-password-1");
  await page.click("button[type=submit]");
  await page.locator("h1", { hasText: "Dashboard" }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("a finished look", () => {
  it("tells a new user on the home page how to add a gateway", async () => {
    const empty = page.getByTestId("no-gateway");
    await expect(empty.textContent()).resolves.toContain("Connect your first OpenClaw gateway");
    await empty.getByRole("link", { name: "Add a gateway" }).click();
    await page.waitForURL(server.url + "/gateways");
    await page.locator("h1", { hasText: "Gateways" }).waitFor();
  });

  it("renders a board description's markdown and leaves its HTML inert", async () => {
    await page.goto(server.url + "/boards");
    await page.fill("#create-board [name=name]", "Launch");
    await page.fill("#create-board [name=description]", HOSTILE);
    await page.click("#create-board button[type=submit]");
    await page.waitForURL(/\/boards\/[0-9a-f-]{36}$/);
    const description = page.getByTestId("board-description");
    await expect(description.locator("strong").textContent()).resolves.toBe("Ship");
    await expect(description.locator("img, script").count()).resolves.toBe(0);
    await expect(description.textContent()).resolves.toContain('<img src=x onerror="window.__owned = 1">');
    await expect(page.evaluate(() => (window as { __owned?: number }).__owned)).resolves.toBeUndefined();
  });

  it("opens the new task form with the assignee on an explicit 'Unassigned'", async () => {
    await page.locator("summary", { hasText: "New task" }).click();
    const selected = await page.$eval("#create-task [name=assigneeAgentId]", (select: HTMLSelectElement) => ({
      value: select.value,
      text: select.selectedOptions[0]?.textContent,
    }));
    expect(selected).toEqual({ value: "", text: "Unassigned" });
  });

  it("disables the submit button with a spinner while its own request runs", async () => {
    let release: () => void = () => {};
    const held = new Promise<Route>((resolve) => {
      void page.route(
        (url) => url.pathname.endsWith(".data"),
        async (route) => {
          if (route.request().method() !== "POST") return route.fallback();
          resolve(route);
          await new Promise<void>((done) => (release = done));
          await route.fallback();
        },
      );
    });
    await page.fill("#create-task [name=title]", "Write the launch post");
    const create = page.locator("#create-task button[type=submit]");
    await expect(create.getAttribute("aria-busy")).resolves.toBeNull();
    await create.click();
    await held;
    await page.locator('#create-task button[type=submit][aria-busy="true"]:disabled svg.animate-spin').waitFor();
    // the other forms of the page are not the ones sending
    await expect(page.locator("#update-board button[type=submit]").getAttribute("aria-busy")).resolves.toBeNull();
    await expect(page.locator("#update-board button[type=submit]").isDisabled()).resolves.toBe(false);
    release();
    await page.locator('[data-testid="task-card"]', { hasText: "Write the launch post" }).waitFor();
    await page.locator('#create-task button[type=submit]:not([aria-busy]):enabled').waitFor();
    await page.unrouteAll({ behavior: "ignoreErrors" });
  });

  it("shows a card's priority as a word and its missing assignee in full", async () => {
    const card = page.locator('[data-testid="task-card"]', { hasText: "Write the launch post" });
    await expect(card.locator(".mc-priority").textContent()).resolves.toBe("Medium");
    const unassigned = card.locator(".kanban-card-agent .truncate");
    await expect(unassigned.textContent()).resolves.toBe("Unassigned");
    // not cut off: the text fits its box
    await expect(unassigned.evaluate((el) => el.scrollWidth <= el.clientWidth)).resolves.toBe(true);
  });
});
