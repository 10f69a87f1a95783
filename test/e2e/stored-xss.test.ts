import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, db, initDatabase } from "~/db/data-source.server";
import { AGENT_ROLES } from "~/db/entities";
import type { Actor } from "~/models/activity.server";
import { createAgent } from "~/models/agent.server";
import { recordAgentActivity, upsertSessionRows, listAgentSessions } from "~/models/agent-session.server";
import { createApiToken } from "~/models/api-token.server";
import { createBoard } from "~/models/board.server";
import { createGateway } from "~/models/gateway.server";
import { createInvite } from "~/models/organization.server";
import { createTag } from "~/models/tag.server";
import { createTask } from "~/models/task.server";
import { updateProfile } from "~/models/user.server";
import { launchBrowser } from "../support/browser";
import { REPO_ROOT, startServer, type StartedServer } from "../support/server";
import { readRouteManifest, routePattern } from "../support/sweep";

/*
 * Stored XSS through every user- and agent-controlled field (issue 12, point 10). Each field is
 * written through the models (as the forms, the API and the gateway ingest would store it) with a
 * payload that runs script if it is ever parsed as markup, then every page of the route manifest
 * is rendered in Chromium as the owner: no payload may run (window.__xss), no CSP violation may
 * fire (an inline handler that made it into the DOM would), no element or javascript: link from a
 * payload may exist, and each field's text must appear on some page (so the test saw it).
 */
const USER = "xss-owner";
const PASSWORD = "xss-owner-password";
const SHOTS = "/tmp/shots-secsuite";

/** `code` tags the field, so its appearance as text can be found; each payload fits the field's length. */
const img = (code: string) => `<img src=x onerror=__xss=1>${code}`;
const svg = (code: string) => `"><svg onload=__xss=2>${code}`;
const MARKDOWN = (code: string) =>
  [
    `${code} [click me](javascript:__xss=3) <a href="javascript:__xss=4">raw link</a>`,
    `<script>__xss=5</script> <img src=x onerror="__xss=6"> ![i](x" onerror="__xss=7)`,
    `<iframe src="javascript:__xss=8"></iframe> [data](data:text/html,<script>__xss=9</script>)`,
  ].join("\n\n");

const FIELDS = {
  orgName: img("F-ORG"),
  displayName: svg("F-USER"),
  boardName: img("F-BOARD"),
  boardDescription: MARKDOWN("F-BDESC"),
  taskTitle: svg("F-TASK"),
  taskDescription: MARKDOWN("F-TDESC"),
  tagName: img("F-TAG").slice(0, 40),
  tokenName: svg("F-TOKEN"),
  gatewayName: img("F-GW"),
  agentName: svg("F-AGENT"),
  sessionLabel: img("F-SESS"),
  transcriptText: `${svg("F-TEXT")} ${MARKDOWN("F-MD")}`,
  toolOutput: `${img("F-TOOL")} </pre><script>__xss=10</script>`,
} as const;
type Field = keyof typeof FIELDS;
const CODE = Object.fromEntries(Object.entries(FIELDS).map(([field, payload]) => [field, /F-[A-Z]+/.exec(payload)![0]])) as Record<Field, string>;

let server: StartedServer;
let browser: Browser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await startServer({ env: { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD, MC_ROLES: "web" } });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
  // the server migrated this database; the test writes through the same models it uses
  await initDatabase(server.databaseUrl, { poolSize: 2 });
  const [{ user_id: userId, org_id: orgId }] = await db().query("select user_id, org_id from memberships limit 1");
  const actor: Actor = { type: "user", id: userId, name: USER };
  await db().query("update organizations set name = $1 where id = $2", [FIELDS.orgName, orgId]);
  await updateProfile({ userId, displayName: FIELDS.displayName, email: null });
  const board = await createBoard({ orgId, input: { name: FIELDS.boardName, description: FIELDS.boardDescription, objective: MARKDOWN("F-OBJ") }, actor });
  const gateway = await createGateway({ orgId, input: { name: FIELDS.gatewayName, url: "ws://127.0.0.1:9" }, actor });
  const agent = await createAgent({ orgId, name: FIELDS.agentName, role: AGENT_ROLES[0], actor });
  await db().query("update agents set gateway_id = $1, external_id = 'main' where id = $2", [gateway.id, agent.id]).catch(() => undefined);
  const tag = await createTag({ orgId, name: FIELDS.tagName, color: "#336699", actor });
  const task = await createTask({
    orgId,
    input: { title: FIELDS.taskTitle, description: FIELDS.taskDescription, boardId: board.id, assigneeAgentId: agent.id, tags: [tag.name] },
    actor,
  });
  await createApiToken({ orgId, name: FIELDS.tokenName, actor });
  const invite = await createInvite({ orgId, role: "viewer", actor });
  const at = Date.now() - 60_000;
  const sessionKey = "agent:main:main";
  await upsertSessionRows({
    orgId,
    gatewayId: gateway.id,
    sessions: [{
      sessionKey, sessionId: null, externalAgentId: "main", type: "main", label: FIELDS.sessionLabel, model: null, parentSessionKey: null,
      contextTokens: null, totalTokens: null, inputTokens: null, outputTokens: null, costUsd: null, status: null, lastActivityAt: at, endedAt: null,
    }],
  });
  await recordAgentActivity({
    orgId,
    gatewayId: gateway.id,
    events: [
      { source: "gateway", agentId: "main", sessionKey, kind: "message", text: FIELDS.transcriptText, at },
      { source: "gateway", agentId: "main", sessionKey, kind: "tool_start", tool: "exec", summary: `exec: ${img("F-SUM")}`, at: at + 1 },
      { source: "gateway", agentId: "main", sessionKey, kind: "tool_end", tool: "exec", text: FIELDS.toolOutput, at: at + 2 },
    ],
  });
  const session = (await listAgentSessions(orgId))[0]!;
  Object.assign(ids, { boardId: board.id, taskId: task.id, agentId: agent.id, gatewayId: gateway.id, sessionId: session.id, token: invite.token, section: "costs" });
});

afterAll(async () => {
  await closeDatabase().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

async function signIn(page: Page) {
  await page.goto(server.url + "/login");
  await page.fill("[name=username]", USER);
  await page.fill("[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(server.url + "/");
}

/** Every page of the built manifest with a default export (a page, not a resource route), params filled with seeded rows. */
function pageUrls(): string[] {
  const routes = readRouteManifest();
  const urls = new Set<string>();
  for (const route of Object.values(routes)) {
    const file = ["tsx", "ts"].map((ext) => path.join(REPO_ROOT, "app", `${route.id}.${ext}`)).find((candidate) => existsSync(candidate));
    const hasPage = file !== undefined && /export default function/.test(readFileSync(file, "utf8"));
    if (!hasPage || route.id === "root" || route.id === "routes/_app" || route.id === "routes/_app.settings") continue;
    const pattern = routePattern(routes, route.id);
    if (/^\/(login|logout|setup)$/.test(pattern)) continue; // signed out, or nothing stored shows there
    urls.add(pattern.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? "missing"));
  }
  return [...urls].sort();
}

describe("stored XSS through every user- and agent-controlled field", () => {
  it("runs no payload, raises no CSP violation and leaves no payload element on any page, and shows every field as text", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => {
      (window as unknown as { __violations: string[] }).__violations = [];
      document.addEventListener("securitypolicyviolation", (event) => {
        (window as unknown as { __violations: string[] }).__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
      });
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("dialog", (dialog) => {
      errors.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await signIn(page);
    const seen = new Set<string>();
    const failures: string[] = [];
    const urls = pageUrls();
    expect(urls.length).toBeGreaterThan(15);
    for (const url of urls) {
      const response = await page.goto(server.url + url);
      expect(response?.status(), url).toBeLessThan(400);
      // hydrated (React attached its handlers) before looking, so client rendering is covered too
      await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true" || (window as unknown as { __remixContext?: unknown }).__remixContext !== undefined);
      await page.waitForLoadState("networkidle");
      const found = await page.evaluate((codes) => {
        const w = window as unknown as { __xss?: unknown; __violations: string[] };
        const handlers = [...document.querySelectorAll("*")].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name) && /__xss/.test(a.value)));
        const links = [...document.querySelectorAll("a[href], iframe[src], img[src]")].filter((el) => /^\s*(javascript|data):/i.test(el.getAttribute("href") ?? el.getAttribute("src") ?? ""));
        const text = document.body.textContent ?? "";
        return {
          xss: w.__xss,
          violations: w.__violations,
          injected: [
            ...handlers.map((el) => el.outerHTML.slice(0, 80)),
            ...links.map((el) => el.outerHTML.slice(0, 80)),
            ...[...document.querySelectorAll("img[src='x'], svg[onload], script:not([src]):not([nonce])")].map((el) => el.outerHTML.slice(0, 80)),
          ],
          codes: codes.filter((code) => text.includes(code)),
        };
      }, Object.values(CODE));
      if (found.xss !== undefined) failures.push(`${url}: a payload ran (__xss=${String(found.xss)})`);
      if (found.violations.length > 0) failures.push(`${url}: CSP violation ${found.violations.join("; ")}`);
      if (found.injected.length > 0) failures.push(`${url}: payload markup in the DOM: ${found.injected.join(" | ")}`);
      for (const code of found.codes) seen.add(code);
      if (/^\/(boards\/|tasks\/|monitoring\/sessions\/)/.test(url)) {
        const name = url.split("/").filter(Boolean)[0];
        for (const width of [1280, 390]) {
          await page.setViewportSize({ width, height: 900 });
          await page.screenshot({ path: `${SHOTS}/xss-${name}-${width}.png` });
        }
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    }
    await context.close();
    expect(failures).toEqual([]);
    expect(errors).toEqual([]);
    // every field reached a page as text: a field nobody renders would make this test blind to it
    expect(Object.entries(CODE).filter(([, code]) => !seen.has(code)).map(([field]) => field)).toEqual([]);
  });
});
