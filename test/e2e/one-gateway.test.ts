import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGateway } from "~/gateway/testing/fake-gateway";
import { launchBrowser } from "../support/browser";
import { startServer, type StartedServer } from "../support/server";

/*
 * One gateway once, in Chromium: a second add of the same gateway (another spelling of its URL) is
 * refused with a link to the first, a metadata address is refused, and with two real gateways the
 * agents and sessions pages name each agent's gateway. Screenshots go to MC_SHOTS_DIR when set.
 */
let server: StartedServer;
let browser: Browser;
const fakes: FakeGateway[] = [];
const USER = "once-admin";
const PASSWORD = "once-admin-password";
const shots = process.env.MC_SHOTS_DIR;

beforeAll(async () => {
  server = await startServer({ env: { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD, MC_GATEWAY_RECONCILE_MS: "500" } });
  browser = await launchBrowser();
  for (const deviceId of ["a".repeat(64), "b".repeat(64)]) {
    const fake = await FakeGateway.start();
    // two different gateways: each says who it is
    fake.handlers.set("gateway.identity.get", () => ({ ok: true, payload: { deviceId, publicKey: "k" } }));
    fakes.push(fake);
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  for (const fake of fakes) await fake.close();
});

async function signIn(width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(server.url + "/login");
  await page.fill("[name=username]", USER);
  await page.fill("[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForURL(server.url + "/");
  return page;
}

async function addGateway(page: Page, name: string, url: string, token?: string) {
  await page.goto(server.url + "/gateways");
  await page.fill("#add-gateway [name=name]", name);
  await page.fill("#add-gateway [name=url]", url);
  if (token) await page.fill("#add-gateway [name=token]", token);
  await page.click("#add-gateway button[type=submit]");
}

describe("one gateway once", () => {
  it("refuses the same gateway twice with a link to the first, and a metadata address; names gateways beside agents", async () => {
    const page = await signIn(1280);
    const [home, lab] = fakes as [FakeGateway, FakeGateway];
    await addGateway(page, "Home", home.url, home.token);
    await page.waitForURL(/\/gateways\/[0-9a-f-]{36}$/);
    const homeId = page.url().split("/").pop()!;

    // the same URL spelled otherwise
    await addGateway(page, "Home again", home.url.replace("ws://", "WS://") + "/", home.token);
    const refusal = page.locator("text=This gateway is already registered as \"Home\"");
    await refusal.waitFor();
    expect(page.url()).toMatch(/\/gateways(\?index)?$/);
    const link = page.locator('[data-testid="existing-gateway"] a');
    expect(await link.textContent()).toBe("Open Home");
    if (shots) {
      await page.screenshot({ path: `${shots}/gateways-duplicate-1280.png`, fullPage: true });
      await page.setViewportSize({ width: 390, height: 900 });
      await page.screenshot({ path: `${shots}/gateways-duplicate-390.png`, fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await link.click();
    await page.waitForURL(server.url + `/gateways/${homeId}`);

    await addGateway(page, "Metadata", "ws://0xA9FEA9FE");
    await page.locator("text=link-local or cloud metadata address").first().waitFor();
    await addGateway(page, "Creds", `ws://user:pw@127.0.0.1:1`);
    await page.locator("text=Leave credentials out of the URL").first().waitFor();
    expect(await page.locator('[data-testid="gateway-card"]').count()).toBe(1);

    // a second, different gateway: agents of the same name now say which gateway they run on
    await addGateway(page, "Lab", lab.url, lab.token);
    await page.waitForURL(/\/gateways\/[0-9a-f-]{36}$/);
    await page.goto(server.url + "/agents");
    const sources = page.locator('[data-testid="agent-source"]');
    await page.waitForFunction(() => {
      const cells = Array.from(document.querySelectorAll('[data-testid="agent-source"]')).map((cell) => cell.textContent);
      return cells.includes("Gateway Home") && cells.includes("Gateway Lab");
    }, undefined, { timeout: 20_000 });
    expect(await sources.allTextContents()).toEqual(expect.arrayContaining(["Gateway Home", "Gateway Lab"]));
    if (shots) {
      await page.screenshot({ path: `${shots}/agents-two-gateways-1280.png`, fullPage: true });
      await page.goto(server.url + "/monitoring/sessions");
      await page.screenshot({ path: `${shots}/sessions-two-gateways-1280.png`, fullPage: true });
      await page.setViewportSize({ width: 390, height: 900 });
      await page.screenshot({ path: `${shots}/sessions-two-gateways-390.png`, fullPage: true });
      await page.goto(server.url + "/agents");
      await page.screenshot({ path: `${shots}/agents-two-gateways-390.png`, fullPage: true });
    }

    // the same gateway through another name (its URL differs, its identity does not): it is marked a
    // duplicate once it answers, and the card says where its data is instead of a connection state
    await addGateway(page, "Home by name", home.url.replace("127.0.0.1", "localhost"), home.token);
    await page.waitForURL(/\/gateways\/[0-9a-f-]{36}$/);
    await page.locator('[data-gateway-state="duplicate"]').waitFor({ timeout: 20_000 });
    await page.locator('text=This is the same gateway as "Home"').first().waitFor();
    await page.goto(server.url + "/gateways");
    const copy = page.locator('[data-testid="gateway-card"]', { hasText: "Home by name" });
    await copy.locator('[data-gateway-state="duplicate"]').waitFor();
    expect(await copy.textContent()).toContain('This is the same gateway as "Home"');
    if (shots) await page.screenshot({ path: `${shots}/gateways-identity-duplicate-1280.png`, fullPage: true });
    await page.close();
  });
});
