import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { freePort, startServer, type StartedServer } from "../support/server";

/* The gateways pages in Chromium: validation, an unreachable gateway, the test button, no token leak. */
let server: StartedServer;
let browser: Browser;
const USER = "gw-admin";
const PASSWORD = "gw-admin-password";
const root = mkdtempSync(path.join(os.tmpdir(), "mc-e2e-transcripts-"));
mkdirSync(path.join(root, "legacy"));

beforeAll(async () => {
  server = await startServer({ env: { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD, MC_GATEWAY_RECONCILE_MS: "500", MC_TRANSCRIPT_ROOT: root } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("gateways page", () => {
  it("validates, shows an unreachable gateway as offline with advice, and never shows the token", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url + "/login");
    await page.fill("[name=username]", USER);
    await page.fill("[name=password]", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForURL(server.url + "/");
    await page.goto(server.url + "/gateways");
    await page.locator("text=No gateways yet").waitFor();

    await page.fill("#add-gateway [name=name]", "Nowhere");
    await page.fill("#add-gateway [name=url]", "https://not-a-websocket");
    await page.click("#add-gateway button[type=submit]");
    await page.locator("text=Use the gateway's WebSocket URL").first().waitFor();

    const port = await freePort(); // nothing listens there
    const token = "e2e-secret-token-never-shown";
    await page.fill("#add-gateway [name=url]", `ws://127.0.0.1:${port}`);
    await page.fill("#add-gateway [name=token]", token);
    await page.click("#add-gateway button[type=submit]");
    await page.waitForURL(/\/gateways\/[0-9a-f-]{36}$/);
    await page.locator('[data-gateway-state="offline"]').waitFor({ timeout: 15_000 });
    // the problem once, in words (not the socket's "connect ECONNREFUSED 127.0.0.1:port")
    await page.locator("[data-testid=gateway-problem]:has-text('Could not connect to the gateway')").waitFor();
    expect(await page.locator("text=Could not connect to the gateway").count()).toBe(1);
    expect(await page.content()).not.toContain("ECONNREFUSED");

    // "Test connection" says it is testing (button disabled) for as long as the test takes: something
    // now listens on the port and holds every connection without answering, until we let go
    const held = new Set<net.Socket>();
    const holder = net.createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    try {
      const button = page.locator("form:has(input[name=intent][value=test]) button");
      const result = page.locator("form:has(input[name=intent][value=test]) [role=status]");
      const answered = page.waitForResponse((response) => response.request().method() === "POST");
      await button.click();
      await page.locator("form:has(input[name=intent][value=test]) button:disabled:has-text('Testing…')").waitFor();
      expect(await result.textContent()).toContain("Connecting once");
      for (const socket of held) socket.destroy();
      holder.close();
      await answered;
      await page.locator("form:has(input[name=intent][value=test]) button:enabled:has-text('Test connection')").waitFor();
      expect(await result.textContent()).toMatch(/^Could not connect to the gateway at ws:\/\/127\.0\.0\.1:\d+|^Tested again: the same result as above\.|closed the connection/);
      expect(await result.textContent()).not.toContain("ECONN");
    } finally {
      for (const socket of held) socket.destroy();
      holder.close();
    }
    expect(await page.content()).not.toContain(token);
    await page.close();
  });

  it("shows a refused transcript folder on its field, and the corrected one saves with one click", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url + "/login");
    await page.fill("[name=username]", USER);
    await page.fill("[name=password]", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForURL(server.url + "/");
    await page.goto(server.url + "/gateways");
    await page.locator("a[href^='/gateways/']").first().click();
    await page.waitForURL(/\/gateways\/[0-9a-f-]{36}$/);
    const edit = "form:has(input[name=intent][value=update])";

    await page.fill(`${edit} [name=transcriptDir]`, "/etc");
    await page.click(`${edit} button[type=submit]`);
    await page.locator(`text=must be inside ${root}`).waitFor();
    expect(await page.getAttribute(`${edit} [name=transcriptDir]`, "aria-invalid")).toBe("true");

    // The long error sits above the button: it must not vanish under the pointer and eat the click.
    await page.fill(`${edit} [name=transcriptDir]`, path.join(root, "legacy"));
    const saved = page.waitForResponse((response) => response.request().method() === "POST" && response.status() === 200);
    await page.click(`${edit} button[type=submit]`);
    await saved;
    await page.locator("text=Saved. The connection restarts").waitFor();
    expect(await page.inputValue(`${edit} [name=transcriptDir]`)).toBe(path.join(root, "legacy"));

    // another host without the token again: refused on the token field (422), the stored URL stays
    const before = await page.inputValue(`${edit} [name=url]`);
    await page.fill(`${edit} [name=url]`, "ws://listener.example:18789");
    const refused = page.waitForResponse((response) => response.request().method() === "POST");
    await page.click(`${edit} button[type=submit]`);
    expect((await refused).status()).toBe(422);
    await page.locator(`${edit} >> text=enter the gateway's token again`).waitFor();
    expect(await page.getAttribute(`${edit} [name=token]`, "aria-invalid")).toBe("true");
    await page.reload();
    expect(await page.inputValue(`${edit} [name=url]`)).toBe(before);
    await page.close();
  });
});
