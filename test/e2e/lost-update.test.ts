import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { startServer, type StartedServer } from "../support/server";

/*
 * ADR 017 in Chromium: one task open in two signed-in browsers. A change in the second reaches the
 * first tab's untouched fields live; a save from the first tab over a field the second changed is
 * refused with the newer value shown and the typed text kept; the deliberate second save applies.
 * The same without JavaScript (task and board forms: the 409 page), and for the tag catalog.
 */
let server: StartedServer;
let browser: Browser;
let first: BrowserContext;
let second: BrowserContext;
let taskUrl = "";
let boardUrl = "";
const USER = "operator";
const PASSWORD = "operator-password-1";
const SHOTS = process.env.MC_SHOTS_DIR;

async function signIn(page: Page) {
  await page.goto(server.url + "/login");
  await page.fill("[name=username]", USER);
  await page.fill("[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(server.url + "/");
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  first = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  second = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await first.newPage();
  await page.goto(server.url + "/setup");
  await page.fill("[name=orgName]", "Acme Robotics");
  await page.fill("[name=username]", USER);
  await page.fill("[name=password]", PASSWORD);
  await page.fill("[name=confirmPassword]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(server.url + "/");
  await page.goto(server.url + "/boards");
  await page.fill("#create-board [name=name]", "Launch");
  await page.click("#create-board button[type=submit]");
  await page.waitForURL(/\/boards\/[0-9a-f-]{36}$/);
  boardUrl = page.url();
  const details = page.locator("details", { has: page.locator("summary", { hasText: "New task" }) });
  if (!(await details.evaluate((el: HTMLDetailsElement) => el.open))) await details.locator("summary").click();
  await page.fill("#create-task [name=title]", "Rotate keys");
  await page.selectOption("#create-task [name=priority]", "medium");
  await page.click("#create-task button[type=submit]");
  const card = page.locator('[data-testid="task-card"]', { hasText: "Rotate keys" });
  await card.waitFor();
  taskUrl = new URL((await card.locator("a").first().getAttribute("href"))!, server.url).toString();
  await signIn(await second.newPage());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("no lost update in two browsers", () => {
  it("refreshes untouched fields live, refuses a stale save with the newer value and keeps the typed text", async () => {
    const a = await first.newPage();
    const b = (await second.pages())[0]!;
    await a.goto(taskUrl);
    await b.goto(taskUrl);
    const formA = a.locator("form", { has: a.locator("input[name=intent][value=update]") });
    const formB = b.locator("form", { has: b.locator("input[name=intent][value=update]") });
    await a.locator("[data-live-status=live], [aria-label*=Live], text=Live").first().waitFor({ timeout: 10_000 }).catch(() => undefined);

    // B changes the priority; A's priority field, untouched, follows without a reload
    await formB.locator("[name=priority]").selectOption("low");
    await formB.locator("button[type=submit]").click();
    await b.locator("text=Saved.").waitFor();
    await a.waitForFunction(() => (document.querySelector("form [name=priority]") as HTMLSelectElement | null)?.value === "low");

    // A types a description and saves: only it is written, B's priority stays
    await formA.locator("[name=description]").fill("Rotate the gateway tokens first.");
    await formA.locator("button[type=submit]").click();
    await a.locator("text=Saved.").waitFor();

    // both edit the title; B saves first, A's save is refused with B's title shown and A's kept
    await b.reload();
    await formA.locator("[name=title]").fill("Rotate keys today");
    await formB.locator("[name=title]").fill("Rotate keys on Friday");
    await formB.locator("button[type=submit]").click();
    await b.locator("text=Saved.").waitFor();
    await formA.locator("button[type=submit]").click();
    const refusal = a.locator('text=Someone changed this task while you were editing: title is now "Rotate keys on Friday"');
    await refusal.waitFor();
    expect(await a.locator("text=Saved.").count()).toBe(0);
    expect(await formA.locator("[name=title]").inputValue()).toBe("Rotate keys today");
    expect(await formA.locator("[name=priority]").inputValue()).toBe("low");
    if (SHOTS) {
      await a.screenshot({ path: `${SHOTS}/task-409-1280.png`, fullPage: true });
      await a.setViewportSize({ width: 390, height: 844 });
      await a.screenshot({ path: `${SHOTS}/task-409-390.png`, fullPage: true });
      await a.setViewportSize({ width: 1280, height: 900 });
    }

    // the deliberate second save applies A's title and nothing else
    await formA.locator("button[type=submit]").click();
    await a.locator("text=Saved.").waitFor();
    await a.locator("h1", { hasText: "Rotate keys today" }).waitFor();
    await b.reload();
    expect(await formB.locator("[name=priority]").inputValue()).toBe("low");
    expect(await formB.locator("[name=description]").inputValue()).toBe("Rotate the gateway tokens first.");
    expect(await formB.locator("[name=title]").inputValue()).toBe("Rotate keys today");
  }, 120_000);

  it("without JavaScript, a stale save of the task form is the 409 page naming the newer value, with the typed text kept", async () => {
    const plain = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    try {
      const c = await plain.newPage();
      await signIn(c);
      await c.goto(taskUrl);
      const formC = c.locator("form", { has: c.locator("input[name=intent][value=update]") });
      const shownPriority = await formC.locator("[name=priority]").inputValue();
      const newer = shownPriority === "high" ? "critical" : "high";
      // another browser (with JavaScript) changes the priority after this page was rendered
      const b = (await second.pages())[0]!;
      await b.goto(taskUrl);
      const formB = b.locator("form", { has: b.locator("input[name=intent][value=update]") });
      await formB.locator("[name=priority]").selectOption(newer);
      await formB.locator("button[type=submit]").click();
      await b.locator("text=Saved.").waitFor();

      await formC.locator("[name=description]").fill("Typed without JavaScript.");
      const answered = c.waitForResponse((response) => response.request().method() === "POST");
      await formC.locator("button[type=submit]").click();
      expect((await answered).status()).toBe(409);
      await c.waitForLoadState("load");
      const label = newer === "high" ? "High" : "Critical";
      await c.locator(`text=Someone changed this task while you were editing: priority is now ${label}`).waitFor();
      expect(await formC.locator("[name=description]").inputValue()).toBe("Typed without JavaScript.");
      expect(await formC.locator("[name=priority]").inputValue()).toBe(newer);
      expect(await c.locator("text=Saved.").count()).toBe(0);

      // the page is based on the stored version now: the second, deliberate save applies the description only
      await formC.locator("button[type=submit]").click();
      await c.locator("text=Saved.").waitFor();
      await b.reload();
      expect(await formB.locator("[name=description]").inputValue()).toBe("Typed without JavaScript.");
      expect(await formB.locator("[name=priority]").inputValue()).toBe(newer);
    } finally {
      await plain.close();
    }
  }, 120_000);

  it("without JavaScript, a stale save of the board settings opens them on the 409 sentence with the newer name", async () => {
    const plain = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    try {
      const c = await plain.newPage();
      await signIn(c);
      await c.goto(boardUrl);
      await c.locator("summary", { hasText: "Board settings" }).click();
      const formC = c.locator("form", { has: c.locator("input[name=intent][value=update-board]") });
      // another browser renames the board meanwhile
      const b = (await second.pages())[0]!;
      await b.goto(boardUrl);
      await b.locator("summary", { hasText: "Board settings" }).click();
      const formB = b.locator("form", { has: b.locator("input[name=intent][value=update-board]") });
      await formB.locator("[name=name]").fill("Launch week");
      await formB.locator("button[type=submit]").click();
      await b.locator("text=Saved.").waitFor();

      await formC.locator("[name=objective]").fill("Ship the gateway release");
      const answered = c.waitForResponse((response) => response.request().method() === "POST");
      await formC.locator("button[type=submit]").click();
      expect((await answered).status()).toBe(409);
      await c.waitForLoadState("load");
      await c.locator("text=Someone changed this board while you were editing: name is now Launch week").waitFor();
      expect(await formC.locator("[name=objective]").inputValue()).toBe("Ship the gateway release");
      expect(await formC.locator("[name=name]").inputValue()).toBe("Launch week");
      if (SHOTS) {
        await c.screenshot({ path: `${SHOTS}/board-409-1280.png`, fullPage: true });
        await c.setViewportSize({ width: 390, height: 844 });
        await c.screenshot({ path: `${SHOTS}/board-409-390.png`, fullPage: true });
      }
    } finally {
      await plain.close();
    }
  }, 120_000);

  it("saves the same agent twice in a row: the first save moves the form's base, the second is not refused as stale", async () => {
    const page = await first.newPage();
    await page.goto(server.url + "/agents");
    await page.fill("#create-agent [name=name]", "Twice");
    await page.click("#create-agent button[type=submit]");
    await page.locator("text=added.").first().waitFor();
    await page.locator('main a[href^="/agents/"]:visible', { hasText: "Twice" }).first().click();
    await page.waitForURL(/\/agents\/[0-9a-f-]{36}$/);
    const form = page.locator("form", { has: page.locator("input[name=intent][value=update]") });
    const save = async () => {
      const answered = page.waitForResponse((response) => response.request().method() === "POST");
      await form.locator("button[type=submit]").click();
      const response = await answered;
      await page.waitForFunction(() => !document.querySelector("button[aria-busy=true]"));
      return response.status();
    };
    await form.locator("[name=name]").fill("Twice renamed");
    expect(await save()).toBe(200);
    await form.locator("[name=role]").selectOption("Research");
    expect(await save()).toBe(200);
    expect(await page.locator("text=Someone changed this agent").count()).toBe(0);
    await page.reload();
    expect(await form.locator("[name=name]").inputValue()).toBe("Twice renamed");
    expect(await form.locator("[name=role]").inputValue()).toBe("Research");
    await page.close();
  });

  it("settings › tags: an untouched colour follows live, a rename over a newer name is refused naming it", async () => {
    const a = await first.newPage();
    const b = (await second.pages())[0]!;
    await a.goto(server.url + "/settings/tags");
    await a.fill("form:has(input[name=intent][value=create]) [name=name]", "ops");
    await a.click("form:has(input[name=intent][value=create]) button[type=submit]");
    await a.locator('text=Tag "ops" created.').waitFor();
    await b.goto(server.url + "/settings/tags");
    const rowA = a.locator("form", { has: a.locator("input[name=intent][value=update]") }).first();
    const rowB = b.locator("form", { has: b.locator("input[name=intent][value=update]") }).first();
    await a.locator("[data-live-status=live], [aria-label*=Live], text=Live").first().waitFor({ timeout: 10_000 }).catch(() => undefined);

    // B recolours; A's colour, untouched, follows without a reload
    await rowB.locator("[name=color]").fill("#ef4444");
    await rowB.locator("button[type=submit]").click();
    await b.locator('text=Tag "ops" saved.').waitFor();
    await a.waitForFunction(() => (document.querySelector("form[id^=tag-] [name=color]") as HTMLInputElement | null)?.value === "#ef4444");

    // both rename; B first: A's rename is refused with B's name, A's text kept, B's colour shown
    await rowA.locator("[name=name]").fill("infra");
    await rowB.locator("[name=name]").fill("platform");
    await rowB.locator("button[type=submit]").click();
    await b.locator('text=Tag "platform" saved.').waitFor();
    await rowA.locator("button[type=submit]").click();
    await a.locator('text=Someone changed this tag while you were editing: name is now "platform"').waitFor();
    expect(await rowA.locator("[name=name]").inputValue()).toBe("infra");
    expect(await rowA.locator("[name=color]").inputValue()).toBe("#ef4444");
    if (SHOTS) {
      await a.screenshot({ path: `${SHOTS}/tags-409-1280.png`, fullPage: true });
      await a.setViewportSize({ width: 390, height: 844 });
      await a.screenshot({ path: `${SHOTS}/tags-409-390.png`, fullPage: true });
      await a.setViewportSize({ width: 1280, height: 900 });
    }
    // the deliberate second save applies
    await rowA.locator("button[type=submit]").click();
    await a.locator('text=Tag "infra" saved.').waitFor();
    await b.reload();
    expect(await rowB.locator("[name=name]").inputValue()).toBe("infra");
    expect(await rowB.locator("[name=color]").inputValue()).toBe("#ef4444");
  }, 120_000);
});
