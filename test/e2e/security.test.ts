import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { apiSignIn, startServer, type StartedServer } from "../support/server";
import { readRouteManifest, routePattern } from "../support/sweep";

/*
 * Security regressions against the built server (issue 12): headers with a nonce CSP that the
 * pages work under, cross-origin writes refused with a 403 and nothing logged, redirect targets
 * kept on this origin, an unauthenticated 50 MB body refused without growing the process.
 */
let server: StartedServer;
let browser: Browser;
const USER = "sec-owner";
const PASSWORD = "sec-owner-password";

beforeAll(async () => {
  server = await startServer({ env: { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD, MC_ROLES: "web" } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

function loginForm(redirectTo: string, origin = server.url) {
  return fetch(`${server.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
    body: new URLSearchParams({ username: USER, password: PASSWORD, redirectTo }).toString(),
  });
}

describe("headers", () => {
  it("sends nosniff, framing, referrer and permissions headers on every kind of answer", async () => {
    for (const path of ["/login", "/login.data", "/health", "/api/openapi.json", "/api/tasks", "/favicon.svg", "/events", "/no-such-page"]) {
      const response = await fetch(server.url + path);
      await response.arrayBuffer();
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), path).toBe("same-origin");
      expect(response.headers.get("permissions-policy"), path).toMatch(/camera=\(\)/);
      expect(response.headers.get("content-security-policy"), path).toMatch(/frame-ancestors 'none'/);
    }
  });

  it("has a nonce for scripts and no 'unsafe-inline' among them; pages and API answers are no-store", async () => {
    const page = await fetch(`${server.url}/login`);
    const html = await page.text();
    const csp = page.headers.get("content-security-policy")!;
    const scriptSrc = csp.split(";").find((part) => part.trim().startsWith("script-src"))!;
    expect(scriptSrc).not.toContain("unsafe-inline");
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)![1]!;
    // every inline script Remix rendered carries it; a second request gets another one
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect((await fetch(`${server.url}/login`)).headers.get("content-security-policy")).not.toContain(nonce);
    expect(page.headers.get("cache-control")).toContain("no-store");
    expect((await fetch(`${server.url}/api/tasks`)).headers.get("cache-control")).toContain("no-store");
    // static files keep their own caching
    expect((await fetch(`${server.url}/favicon.svg`)).headers.get("cache-control")).toMatch(/max-age/);
  });

  it("works under the policy in Chromium: hydration, the live stream and a form, with no violation", async () => {
    const violations: string[] = [];
    for (const width of [1280, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      page.on("console", (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
      });
      await page.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (event) => {
          console.error(`Refused to load: CSP ${event.violatedDirective} ${event.blockedURI}`);
        });
      });
      await page.goto(server.url + "/login");
      await page.fill("[name=username]", USER);
      await page.fill("[name=password]", PASSWORD);
      await page.click("button[type=submit]");
      await page.waitForURL(server.url + "/");
      await page.goto(server.url + "/boards");
      // "Live" needs hydrated React and an open EventSource
      await page.locator('[data-live-status="live"]').first().waitFor({ timeout: 15_000 });
      await page.screenshot({ path: `/tmp/shots-security/boards-csp-${width}.png`, fullPage: false });
      await page.close();
    }
    expect(violations).toEqual([]);
  });
});

describe("refusals", () => {
  it("answers a cross-origin sign-in with a 403 sentence, logging no error", async () => {
    const before = server.output().stderr.length;
    const response = await loginForm("/", "https://evil.example");
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/did not come from a Mission Control page/);
    const forged = await fetch(`${server.url}/login.data`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "null" },
      body: "username=a&password=b",
    });
    expect(forged.status).toBe(403);
    await fetch(`${server.url}/health`);
    expect(server.output().stderr.slice(before)).not.toMatch(/Error|at .*\.js/);
  });

  it("answers form routes given JSON, text/plain or broken multipart, and a lone surrogate, with a 4xx and no stack", async () => {
    const before = server.output().stderr.length;
    const bodies: Array<[string, string]> = [
      ["application/json", JSON.stringify({ username: USER, password: PASSWORD })],
      ["text/plain", "username=x"],
      ["multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nx\r\n--z"],
    ];
    for (const [type, body] of bodies) {
      for (const path of ["/login", "/login?_data=routes%2Flogin", "/login.data"]) {
        const response = await fetch(server.url + path, { method: "POST", headers: { "Content-Type": type, Origin: server.url }, body });
        expect(response.status, `${type} ${path}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${type} ${path}`).toBeLessThan(500);
      }
    }
    const surrogate = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"username":"\\ud800","password":"x"}',
    });
    expect(surrogate.status).toBe(400);
    expect((await surrogate.json()).error.message).toMatch(/surrogate|character/i);
    await fetch(`${server.url}/health`);
    expect(server.output().stderr.slice(before)).not.toMatch(/\n\s+at /);
  });

  it("follows only same-origin paths after sign-in", async () => {
    for (const target of ["//evil.example", "/\\evil.example", "/%2F%2Fevil.example", "https:evil.example", "javascript:alert(1)"]) {
      const response = await loginForm(target);
      expect(response.status, target).toBe(302);
      const location = response.headers.get("location")!;
      expect(new URL(location, server.url).origin, target).toBe(server.url);
    }
    const kept = await loginForm("/boards?x=1");
    expect(kept.headers.get("location")).toBe("/boards?x=1");
  });

  it("reads X-Forwarded-Proto only from a proxy named in MC_TRUSTED_PROXIES (Secure cookies behind TLS)", async () => {
    const signIn = (target: StartedServer) =>
      fetch(`${target.url}/login`, {
        method: "POST",
        redirect: "manual",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Forwarded-Proto": "https",
          Origin: target.url.replace("http:", "https:"),
        },
        body: new URLSearchParams({ username: USER, password: PASSWORD }).toString(),
      });
    // not trusted: the header is ignored, so the https Origin is another origin
    expect((await signIn(server)).status).toBe(403);
    const behindProxy = await startServer({ env: { ADMIN_USERNAME: USER, ADMIN_PASSWORD: PASSWORD, MC_ROLES: "web", MC_TRUSTED_PROXIES: "loopback" } });
    try {
      const response = await signIn(behindProxy);
      expect(response.status).toBe(302);
      expect(response.headers.get("set-cookie")).toMatch(/;\s*Secure/i);
    } finally {
      await behindProxy.stop();
    }
  });

  /**
   * Sends a 50 MB body over a raw socket, respecting backpressure, and notes how much had been
   * sent when the answer's status line arrived; /health is asked with the first MB, while the
   * upload is still going. A JSON body opens a string that never ends, so only the cap can stop it.
   * Without `push` the client sends the first MB and waits for the answer (the 413 must come with
   * 49 MB unsent); with it, the client keeps pushing all 50 MB, as an attacker would, and the server
   * may reset the connection once the discard budget is spent (the reset can overtake the answer).
   */
  function upload({ path, type, headers = {}, chunked = false, push = false }: { path: string; type: string; headers?: Record<string, string>; chunked?: boolean; push?: boolean }) {
    const chunk = Buffer.alloc(1024 * 1024, type.startsWith("multipart") ? "-" : "a");
    return new Promise<{ status: number; sentAtAnswer: number; healthMs: number; answer: string }>((resolve) => {
      const socket = net.connect(server.port, "127.0.0.1");
      let answer = "";
      let sent = 0;
      let sentAtAnswer = -1;
      let health: Promise<number> | undefined;
      const finish = (status: number) => {
        void (health ?? Promise.resolve(-1)).then((healthMs) => resolve({ status, sentAtAnswer, healthMs, answer: answer.slice(0, 400) }));
      };
      socket.on("data", (data) => {
        answer += data.toString();
        const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
        const [head, body = ""] = answer.split("\r\n\r\n");
        const length = Number(/content-length: (\d+)/i.exec(head ?? "")?.[1] ?? 0);
        if (match && sentAtAnswer < 0 && answer.includes("\r\n\r\n") && Buffer.byteLength(body) >= length) {
          sentAtAnswer = sent;
          socket.destroy();
          finish(Number(match[1]));
        }
      });
      // the server may close once it has answered and discarded what it will (EPIPE here)
      socket.on("error", () => {});
      socket.on("close", () => {
        if (sentAtAnswer >= 0) return;
        sentAtAnswer = sent;
        // a body past the discard budget is cut off: the close may reset the answer away (0)
        const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
        finish(match ? Number(match[1]) : 0);
      });
      const extra = Object.entries({ Origin: server.url, ...headers }).map(([name, value]) => `${name}: ${value}\r\n`).join("");
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Content-Type: ${type}\r\n` +
          (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : `Content-Length: ${50 * chunk.length}\r\n\r\n`),
      );
      const pump = () => {
        while (sent < (push || chunked ? 50 : 1) && !socket.destroyed) {
          sent += 1;
          if (sent === 1 && !health) {
            const started = performance.now();
            health = fetch(`${server.url}/health`).then(async (response) => {
              expect(response.status).toBe(200);
              await response.arrayBuffer();
              return performance.now() - started;
            });
          }
          const piece = sent === 1 && type === "application/json" ? Buffer.concat([Buffer.from('{"title":"'), chunk.subarray(10)]) : chunk;
          // one write per chunk, so backpressure never splits a chunk from its framing
          const ok = socket.write(chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]) : piece);
          if (!ok) return void socket.once("drain", pump);
        }
      };
      pump();
    });
  }

  it("refuses 50 MB bodies (urlencoded, JSON, multipart; signed in or not) before reading them, answering /health meanwhile and staying small", async () => {
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.process.pid}/status`, "utf8"))![1]) / 1024;
    const cookie = (await loginForm("/")).headers.get("set-cookie")!.split(";")[0]!;
    const bearer = `Bearer ${await apiSignIn(server.url, USER, PASSWORD)}`;
    const multipart = "multipart/form-data; boundary=----mc";
    const cases: Array<{ label: string; path: string; type: string; headers?: Record<string, string>; chunked?: boolean; push?: boolean }> = [
      { label: "sign-in form", path: "/login", type: "application/x-www-form-urlencoded" },
      { label: "sign-in form, all 50 MB pushed", path: "/login", type: "application/x-www-form-urlencoded", push: true },
      { label: "signed-in API JSON, all 50 MB pushed", path: "/api/tasks", type: "application/json", headers: { Authorization: bearer }, push: true },
      { label: "sign-in form, chunked", path: "/login", type: "application/x-www-form-urlencoded", chunked: true },
      { label: "sign-in form as multipart", path: "/login", type: multipart },
      { label: "API sign-in", path: "/api/auth/login", type: "application/json" },
      { label: "API without credentials", path: "/api/tasks", type: "application/json" },
      { label: "signed-in page form", path: "/boards", type: "application/x-www-form-urlencoded", headers: { Cookie: cookie } },
      { label: "signed-in page multipart", path: "/settings/profile", type: multipart, headers: { Cookie: cookie } },
      { label: "signed-in page form, chunked", path: "/boards", type: "application/x-www-form-urlencoded", headers: { Cookie: cookie }, chunked: true },
      { label: "signed-in API JSON", path: "/api/tasks", type: "application/json", headers: { Authorization: bearer } },
      { label: "signed-in API JSON, chunked", path: "/api/tasks", type: "application/json", headers: { Authorization: bearer }, chunked: true },
    ];
    const before = rss();
    const results: Record<string, unknown> = {};
    for (const { label, ...request } of cases) {
      const { status, sentAtAnswer, healthMs, answer } = await upload(request);
      results[label] = { status, sentAtAnswer };
      // a declared length over the cap is 413 at once; a page form without a length is asked for one (411);
      // a chunked API body is cut at the cap (413); 0 = the connection was reset past the discard budget
      // a chunked page form is refused at once (411) while the client keeps pushing: past the discard
      // budget the close may reset the answer away too (0), as for a pushed body (docs/security.md, known limits)
      const expected = request.chunked ? (request.path.startsWith("/api/") ? [413] : [0, 411]) : request.push ? [0, 413] : [413];
      expect(expected, `${label}: ${answer}`).toContain(status);
      // the answer came while most of the body was still unsent: it was not read first
      expect(sentAtAnswer, `${label}: MB sent when the answer came`).toBeLessThan(25);
      expect(healthMs, `${label}: /health during the upload`).toBeGreaterThanOrEqual(0);
      expect(healthMs, `${label}: /health during the upload`).toBeLessThan(1000);
    }
    if (process.env.SECSUITE_DEBUG) process.stdout.write(JSON.stringify({ grew: rss() - before, results }) + "\n");
    expect(rss() - before, JSON.stringify(results)).toBeLessThan(50);
  });
});

describe("refusals on every form route", () => {
  /** Intents that delete or revoke something, each sent with ids that name nothing. */
  const DELETE_INTENTS = ["delete", "delete-board", "delete-group", "delete-organization", "remove", "revoke", "revoke-invite"];
  /** Form routes that redirect a signed-in person before reading the form, and why that is right. */
  const REDIRECTS_WHATEVER_THE_BODY: Record<string, string> = {
    "/logout": "signing out needs no field",
    "/login": "a signed-in person is sent on to the app",
    "/setup": "setup is over once an owner exists: it sends the person to /login",
  };
  const ID_FIELDS = ["taskId", "boardId", "groupId", "agentId", "gatewayId", "tagId", "tokenId", "inviteId", "userId", "orgId", "sessionId"];

  it("answers a cross-origin post with 403, and JSON, text/plain, broken multipart, a lone surrogate and unknown ids in delete intents with a 4xx sentence, never a 5xx or a stack", async () => {
    const routes = readRouteManifest();
    const actionRoutes = Object.values(routes).filter((route) => route.hasAction && !route.id.startsWith("routes/api."));
    expect(actionRoutes.length).toBeGreaterThan(15);
    const before = server.output().stderr.length;
    const failures: string[] = [];
    for (const route of actionRoutes) {
      const pattern = routePattern(routes, route.id);
      // ids that name nothing: a page with an id answers 404 before it reads the body, so each body is also sent to a real one
      const path = pattern.replace(/:(\w+)/g, () => randomUUID()) + (route.index ? "?index" : "");
      // a fresh session per route: one of these posts is a sign-out
      const cookie = (await loginForm("/")).headers.get("set-cookie")!.split(";")[0]!;
      const surrogate = new URLSearchParams({ intent: "update", title: "x", name: "x" }).toString() + "&title=%ED%A0%80&name=a%ED%A0%80b";
      const bodies: Array<[string, string, string]> = [
        ["JSON", "application/json", JSON.stringify({ intent: "delete", title: "\ud800" })],
        ["text/plain", "text/plain", "intent=delete"],
        ["broken multipart", "multipart/form-data; boundary=zz", '--zz\r\nContent-Disposition: form-data; name="intent"\r\n\r\ndelete\r\n--z'],
        ["lone surrogate", "application/x-www-form-urlencoded", surrogate],
        ...DELETE_INTENTS.map((intent): [string, string, string] => [
          `unknown ids, intent=${intent}`,
          "application/x-www-form-urlencoded",
          new URLSearchParams([["intent", intent], ...ID_FIELDS.map((field) => [field, randomUUID()])]).toString(),
        ]),
      ];
      // CSRF: the same signed-in post from another site is a 403 on every form route
      const forged = await fetch(server.url + path, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://evil.example", Cookie: cookie },
        body: "intent=delete",
      });
      if (forged.status !== 403) failures.push(`${pattern} cross-origin: ${forged.status} ${(await forged.text()).slice(0, 120)}`);
      else await forged.arrayBuffer();
      for (const [label, type, body] of bodies) {
        const response = await fetch(server.url + path, { method: "POST", redirect: "manual", headers: { "Content-Type": type, Origin: server.url, Cookie: cookie }, body });
        const text = await response.text();
        const what = `${pattern} ${label}: ${response.status} ${text.slice(0, 120)}`;
        if (response.status >= 500) failures.push(what);
        else if (label.startsWith("unknown ids") || label === "lone surrogate" ? response.status >= 300 && response.status < 400 : response.status < 400) {
          if (!REDIRECTS_WHATEVER_THE_BODY[pattern]) failures.push(`${what} (accepted)`);
        } else if (response.status >= 400 && !/[A-Za-z]{3,}[^.]*[.!]/.test(text)) failures.push(`${what} (no sentence)`);
      }
    }
    await fetch(`${server.url}/health`);
    expect(failures).toEqual([]);
    const log = server.output().stderr.slice(before);
    expect(log).not.toMatch(/\n\s+at /);
    expect(log).not.toContain('"level":"error"');
  });
});
