import express from "express";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refuseCrossOriginWrites } from "./origin-guard.server";

/* The guard in front of a handler that records the Origin Remix would see. */
let server: Server;
let base = "";
let seenOrigin: string | undefined;

beforeAll(async () => {
  const app = express();
  app.use(refuseCrossOriginWrites(() => "https://mc.example.com"));
  app.all("*", (req, res) => {
    seenOrigin = req.headers.origin;
    res.send("reached");
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, "127.0.0.1", () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (path: string, headers: Record<string, string>) =>
  fetch(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body: "a=1" });

describe("refuseCrossOriginWrites", () => {
  it.each([
    ["another site", { Origin: "https://evil.example" }],
    ["a look-alike port", { Origin: "http://127.0.0.1:1" }],
    ["Origin null without a Referer", { Origin: "null" }],
    ["no Origin, a foreign Referer", { Referer: "https://evil.example/page" }],
    ["neither header", {}],
    ["a javascript: Origin", { Origin: "javascript:alert(1)" }],
  ])("answers a page POST from %s with a 403 sentence", async (_name, headers) => {
    seenOrigin = "untouched";
    const response = await post("/login", headers);
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/did not come from a Mission Control page/);
    expect(seenOrigin).toBe("untouched");
  });

  it("refuses a .data (single fetch) write and a case-changed path the same way", async () => {
    expect((await post("/login.data", { Origin: "https://evil.example" })).status).toBe(403);
    expect((await post("/LOGIN", { Origin: "https://evil.example" })).status).toBe(403);
  });

  it("lets its own origin, MC_PUBLIC_URL and a same-origin Referer through", async () => {
    expect((await post("/login", { Origin: base })).status).toBe(200);
    expect(seenOrigin).toBe(base);
    expect((await post("/login", { Origin: "null", Referer: `${base}/login` })).status).toBe(200);
    // accepted through the proxy: Remix's own guard is given the origin it compares with Host
    expect((await post("/login", { Origin: "https://mc.example.com" })).status).toBe(200);
    expect(seenOrigin).toBe(`https://${new URL(base).host}`);
  });

  it("leaves reads and the API to their own checks", async () => {
    expect((await fetch(`${base}/login`, { headers: { Origin: "https://evil.example" } })).status).toBe(200);
    expect((await post("/api/tasks", { Origin: "https://evil.example" })).status).toBe(200);
  });
});
