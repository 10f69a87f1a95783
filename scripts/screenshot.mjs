// Development aid: signs in (or runs first-time set-up) and screenshots pages into ./screenshots.
// Usage: node scripts/screenshot.mjs http://127.0.0.1:3000 /boards /agents ...   (WIDTH=390 for a phone)
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base = "http://127.0.0.1:3000", ...paths] = process.argv.slice(2);
const width = Number(process.env.WIDTH ?? 1280);
const user = process.env.MC_USER ?? "operator";
const password = process.env.MC_PASSWORD ?? "operator-password-1";
mkdirSync("screenshots", { recursive: true });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width, height: 900 } });
await page.goto(base + "/login");
if (page.url().endsWith("/setup")) {
  await page.fill("[name=orgName]", "Acme Robotics");
  await page.fill("[name=username]", user);
  await page.fill("[name=password]", password);
  await page.fill("[name=confirmPassword]", password);
  await page.click("button[type=submit]");
} else if (page.url().includes("/login")) {
  await page.fill("[name=username]", user);
  await page.fill("[name=password]", password);
  await page.click("button[type=submit]");
}
await page.waitForURL((url) => !url.pathname.startsWith("/login") && !url.pathname.startsWith("/setup"));
for (const path of paths.length ? paths : ["/"]) {
  await page.goto(base + path);
  const name = path.replace(/[^a-z0-9]+/gi, "_").replace(/^_|_$/g, "") || "home";
  await page.screenshot({ path: `screenshots/${name}-${width}.png`, fullPage: true });
  console.log(`screenshots/${name}-${width}.png`);
}
await browser.close();
