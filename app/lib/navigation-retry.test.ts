import { describe, expect, it } from "vitest";
import { isRetriableNavigationRequest, preloadRouteModules, reconnectingCount, retryingFetch, subscribeReconnecting } from "./navigation-retry";

const ORIGIN = "http://127.0.0.1:3000";
const refused = () => Promise.reject(new TypeError("Failed to fetch"));

/** A fake network: answers in order, recording what was asked. */
function network(answers: Array<() => Promise<Response>>) {
  const asked: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    asked.push(new URL(String(input), ORIGIN).pathname);
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    return next();
  }) as typeof globalThis.fetch;
  return { fetch, asked };
}

describe("retryingFetch", () => {
  it("waits out an outage: probes /health until it answers, then sends the request again", async () => {
    const net = network([refused, refused, () => Promise.resolve(new Response("ok")), () => Promise.resolve(new Response("page data"))]);
    const seen: number[] = [];
    const unsubscribe = subscribeReconnecting(() => seen.push(reconnectingCount()));
    const wrapped = retryingFetch({ fetch: net.fetch, origin: ORIGIN, delays: [0] });
    const response = await wrapped(new URL("/boards.data", ORIGIN), { signal: new AbortController().signal });
    unsubscribe();
    expect(await response.text()).toBe("page data");
    expect(net.asked).toEqual(["/boards.data", "/health", "/health", "/boards.data"]);
    expect(seen).toEqual([1, 0]);
  });

  it("stops waiting when the navigation is aborted (a newer click)", async () => {
    const net = network(Array.from({ length: 100 }, () => refused));
    const controller = new AbortController();
    const wrapped = retryingFetch({ fetch: net.fetch, origin: ORIGIN, delays: [5] });
    // abort once it is waiting for the server (the shell says "Reconnecting…"), not after a guessed delay
    const waitingStarted = new Promise<void>((resolve) => {
      const unsubscribe = subscribeReconnecting(() => {
        if (reconnectingCount() > 0) (unsubscribe(), resolve());
      });
    });
    const pending = wrapped(`${ORIGIN}/agents.data`, { signal: controller.signal });
    await waitingStarted;
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(reconnectingCount()).toBe(0);
  });

  it("passes through what it must not repeat or is not a navigation", async () => {
    const net = network([refused, refused, refused, () => Promise.resolve(new Response("", { status: 500 }))]);
    const wrapped = retryingFetch({ fetch: net.fetch, origin: ORIGIN, delays: [0] });
    const signal = new AbortController().signal;
    await expect(wrapped(`${ORIGIN}/boards.data`, { method: "POST", signal })).rejects.toThrow(TypeError);
    await expect(wrapped(`${ORIGIN}/__manifest?p=/boards`)).rejects.toThrow(TypeError);
    await expect(wrapped("https://elsewhere.example/x.data", { signal })).rejects.toThrow(TypeError);
    // an answer, even an error status, is the server's: no retry
    expect((await wrapped(`${ORIGIN}/boards.data`, { signal })).status).toBe(500);
  });

  it("tells which requests are a navigation's", () => {
    const signal = new AbortController().signal;
    expect(isRetriableNavigationRequest(`${ORIGIN}/_root.data`, { signal }, ORIGIN)).toBe(true);
    expect(isRetriableNavigationRequest("/__manifest?p=/x&version=1", { signal }, ORIGIN)).toBe(true);
    expect(isRetriableNavigationRequest(`${ORIGIN}/health`, { signal }, ORIGIN)).toBe(false);
    expect(isRetriableNavigationRequest(`${ORIGIN}/events`, { signal }, ORIGIN)).toBe(false);
  });

  it("hands each route manifest answer on, so the routes' modules load while the server is up", async () => {
    const patch = { "routes/_app.boards._index": { id: "routes/_app.boards._index", module: "/assets/boards-1.js" } };
    const net = network([() => Promise.resolve(Response.json(patch))]);
    const manifests: unknown[] = [];
    let resolveSeen: () => void;
    const seen = new Promise<void>((resolve) => (resolveSeen = resolve));
    const wrapped = retryingFetch({ fetch: net.fetch, origin: ORIGIN, onManifest: (routes) => (manifests.push(routes), resolveSeen()) });
    await wrapped(`${ORIGIN}/__manifest?p=/boards`);
    await seen;
    expect(manifests).toEqual([patch]);

    const loaded: string[] = [];
    const load = async (url: string) => void loaded.push(url);
    preloadRouteModules(patch, load);
    preloadRouteModules({ ...patch, other: { module: "/assets/other-2.js" }, broken: {} }, load);
    expect(loaded).toEqual(["/assets/boards-1.js", "/assets/other-2.js"]);
  });
});
