import { randomBytes } from "node:crypto";
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { REPO_ROOT, startServer, type StartedServer } from "../support/server";

/*
 * The sessions pages in Chromium, with no gateway: the built server tails a legacy OpenClaw state
 * directory (OPENCLAW_STATE_DIR) holding the recorded 2026.7.35 transcripts, so its sessions come
 * from sessions.json and its activity from the .jsonl files. ADMIN_USERNAME makes the organization
 * exist at boot, so the tailer starts at once instead of retrying until there is one.
 */
const SAMPLES = path.resolve(REPO_ROOT, "..", "shared", "openclaw", "samples", "v2026.7.35");
const TOOL_SESSION = { key: "agent:main:mc-v7-tool", id: "5f6afa8c-0402-4922-b4f9-f49f6cac1d0c" };
const DEMO_SESSION = { key: "agent:main:mc-v7-demo", id: "055f3b79-2bd4-4329-933a-4f35c76c6bc9" };
const USER = "sessions-operator";
const PASSWORD = "sessions-operator-password";
const SCREENSHOTS = "/tmp";

let stateDir: string;
let sessionsDir: string;
let server: StartedServer;
let browser: Browser;

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), "mc-e2e-openclaw-state-"));
  sessionsDir = path.join(stateDir, "agents", "main", "sessions");
  mkdirSync(sessionsDir, { recursive: true });
  // the plain transcripts and sessions.json only (no trajectories: no run boundaries)
  for (const name of ["sessions.json", `${TOOL_SESSION.id}.jsonl`, `${DEMO_SESSION.id}.jsonl`]) {
    copyFileSync(path.join(SAMPLES, name), path.join(sessionsDir, name));
  }
  server = await startServer({ env: { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD, OPENCLAW_STATE_DIR: stateDir } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

async function signIn(page: Page) {
  await page.goto(server.url + "/login");
  await page.fill("[name=username]", USER);
  await page.fill("[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(server.url + "/");
}

const row = (page: Page, key: string) => page.locator(`[data-testid=session-row][data-session-key="${key}"]`);

async function screenshots(page: Page, name: string) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(SCREENSHOTS, `mc-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A copy of a transcript's user message as a new record written now, with its own text. */
function newUserLine(transcript: string, text: string): string {
  const records = readFileSync(transcript, "utf8").trim().split("\n").map((line) => JSON.parse(line));
  const template = records.find((r) => r.type === "message" && r.message?.role === "user");
  const now = Date.now();
  const record = {
    ...template,
    id: randomBytes(4).toString("hex"),
    parentId: records.at(-1).id,
    timestamp: new Date(now).toISOString(),
    message: { ...template.message, content: text, timestamp: now, idempotencyKey: `${randomBytes(8).toString("hex")}:user` },
  };
  return `${JSON.stringify(record)}\n`;
}

describe("sessions pages from legacy transcripts", () => {
  it("lists the sessions with type, context and model, shows a session's messages and tool calls, and appends live", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page);

    await page.goto(server.url + "/monitoring/sessions");
    const tool = row(page, TOOL_SESSION.key);
    await tool.waitFor({ timeout: 15_000 });
    await row(page, DEMO_SESSION.key).waitFor();
    // the rows come from sessions.json, what they say the agent did last from the transcript
    await tool.locator("td", { hasText: "mock: tool returned" }).waitFor({ timeout: 10_000 });
    // from sessions.json: chatType "direct", mock/mock-1, 1,234 of 128,000 tokens, $0.008004
    await expect(tool.locator("[data-session-type]").getAttribute("data-session-type")).resolves.toBe("dm");
    await expect(tool.locator("[data-session-type]").textContent()).resolves.toBe("DM");
    await expect(tool.locator('[title="1% of the context window"]').textContent()).resolves.toBe("1%");
    const cells = await tool.locator("td").allTextContents();
    // tokens and cost: every model call in the transcript (3,102 in + 168 out + 600 cached; $0.012006),
    // not sessions.json's figures, which are its last run's only ($0.008004)
    expect(cells).toEqual(expect.arrayContaining(["3.9k", "$0.0120"]));
    await expect(tool.locator("[data-spend]").evaluateAll((items) => items.map((item) => item.getAttribute("data-spend")))).resolves.toEqual(["total", "total"]);
    await expect(tool.getByTestId("session-model").textContent()).resolves.toBe("mock/mock-1");
    expect(cells[0]).toContain("mc-v7-tool");
    expect(cells[1]).toContain("main");
    expect(cells[5]).toContain("mock: tool returned"); // its last message
    await screenshots(page, "sessions-list");

    await tool.locator("a").first().click();
    await page.waitForURL(/\/monitoring\/sessions\/[0-9a-f-]{36}$/);
    const activity = page.locator("[data-testid=session-activity]");
    await activity.locator("li").nth(5).waitFor({ timeout: 10_000 });
    await expect(page.locator("h1").textContent()).resolves.toBe("mc-v7-tool");
    await expect(page.locator("h1 + [data-session-type]").getAttribute("data-session-type")).resolves.toBe("dm");
    const kinds = await activity.locator("li").evaluateAll((items) => items.map((item) => item.getAttribute("data-kind")));
    // the transcript in order: two turns, the second with a session_status call
    expect(kinds).toEqual(["user_message", "message", "user_message", "tool_start", "tool_end", "message"]);
    await expect(activity.locator("li[data-kind=user_message]").first().textContent()).resolves.toContain("hello from mission control");
    await expect(activity.locator("li[data-kind=tool_start]").textContent()).resolves.toContain("main → session_status");
    await expect(activity.locator("li[data-kind=tool_end]").textContent()).resolves.toContain("main finished session_status");
    await expect(activity.locator("li[data-kind=message]").last().textContent()).resolves.toContain("mock: tool returned");
    // the record's own time (03:23:01 UTC), not when it was read
    const times = await activity.locator("li time").evaluateAll((items) => items.map((item) => item.getAttribute("datetime")));
    expect(times.at(-1)).toBe("2026-11-22T03:23:01.491Z");
    await expect(page.getByTestId("session-cost").textContent()).resolves.toBe("$0.0120");
    await expect(page.getByTestId("session-usage").textContent()).resolves.toContain("3.1k in · 168 out · 600 cached");
    await expect(page.getByTestId("session-last-run").textContent()).resolves.toContain("$0.0080");
    await screenshots(page, "session-detail");

    // A line appended to the transcript shows up without a reload.
    await page.locator('[data-live-status="live"]').waitFor();
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const text = `appended while watching ${randomBytes(3).toString("hex")}`;
    const appendedAt = Date.now();
    appendFileSync(path.join(sessionsDir, `${TOOL_SESSION.id}.jsonl`), newUserLine(path.join(sessionsDir, `${TOOL_SESSION.id}.jsonl`), text));
    const appended = activity.locator("li[data-kind=user_message]", { hasText: text });
    await appended.waitFor({ timeout: 10_000 });
    const shownAfter = Date.now() - appendedAt;
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await page.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(1);
    await expect(activity.locator("li").last().getAttribute("data-kind")).resolves.toBe("user_message");
    console.info(`sessions e2e: appended transcript line shown on the detail page after ${shownAfter} ms`);
    await screenshots(page, "session-detail-appended");

    // and the list says so too (its last activity is now)
    await page.goto(server.url + "/monitoring/sessions");
    await expect(row(page, TOOL_SESSION.key).locator("td").last().textContent()).resolves.toBe("just now");

    // filters: a type with no session says so and offers the way back; picking one submits by itself
    await page.selectOption("select[name=type]", "cron");
    await page.waitForURL(/type=cron/);
    await page.getByText("No sessions match these filters").waitFor();
    await page.getByRole("link", { name: "Show all sessions" }).click();
    await row(page, TOOL_SESSION.key).waitFor();
    await expect(page.locator("select[name=type]").inputValue()).resolves.toBe(""); // says what the page shows
    await page.selectOption("select[name=type]", "dm");
    await page.waitForURL(/type=dm/);
    await row(page, TOOL_SESSION.key).waitFor();
    await expect(page.locator("[data-testid=session-row] [data-session-type]").evaluateAll((badges) => badges.map((b) => b.getAttribute("data-session-type")))).resolves.toEqual(
      expect.arrayContaining(["dm"]),
    );
    expect(new Set(await page.locator("[data-testid=session-row] [data-session-type]").evaluateAll((badges) => badges.map((b) => b.getAttribute("data-session-type"))))).toEqual(new Set(["dm"]));
    // an agent is chosen with its gateway ("<gateway id>:main"): two gateways' "main" are two choices
    const main = await page.locator("select[name=agent] option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).find((v) => v.endsWith(":main")));
    await page.selectOption("select[name=agent]", main!);
    await page.waitForURL(/agent=[^&]*(%3A|:)main/);
    await row(page, TOOL_SESSION.key).waitFor();
    await context.close();
  });
});
