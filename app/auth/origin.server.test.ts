import { afterEach, describe, expect, it } from "vitest";
import { resetEnvForTests } from "~/env.server";
import { assertSameOrigin } from "./origin.server";

function request(method: string, headers: Record<string, string> = {}) {
  return new Request("http://127.0.0.1:3000/boards", { method, headers });
}

/** The 403 Response the guard throws, or null when it let the request through. */
function refusal(req: Request): Response | null {
  try {
    assertSameOrigin(req);
    return null;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

afterEach(() => {
  delete process.env.MC_PUBLIC_URL;
  resetEnvForTests();
});

describe("assertSameOrigin", () => {
  it("lets reads through whatever their origin", () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "get"]) {
      expect(refusal(request(method, { Origin: "https://evil.example" }))).toBeNull();
    }
  });

  it("lets a write from this server's own origin through", () => {
    expect(refusal(request("POST", { Origin: "http://127.0.0.1:3000" }))).toBeNull();
  });

  it("refuses a write from another origin, or from another port or scheme of this host, with a 403 and a sentence", async () => {
    for (const origin of ["https://evil.example", "http://127.0.0.1:3001", "https://127.0.0.1:3000"]) {
      const response = refusal(request("POST", { Origin: origin }));
      expect(response?.status).toBe(403);
      expect(await response!.text()).toMatch(/did not come from a Mission Control page/);
    }
  });

  it("refuses a write with neither Origin nor Referer", () => {
    expect(refusal(request("DELETE"))?.status).toBe(403);
  });

  it("falls back to the Referer when the Origin is missing or 'null'", () => {
    expect(refusal(request("POST", { Referer: "http://127.0.0.1:3000/boards/1?x=1" }))).toBeNull();
    expect(refusal(request("POST", { Origin: "null", Referer: "http://127.0.0.1:3000/" }))).toBeNull();
    expect(refusal(request("POST", { Origin: "null", Referer: "https://evil.example/" }))?.status).toBe(403);
    expect(refusal(request("POST", { Referer: "not a url" }))?.status).toBe(403);
  });

  it("accepts MC_PUBLIC_URL's origin (behind a proxy the request URL is the inner one)", () => {
    process.env.MC_PUBLIC_URL = "https://mc.example.com/some/path";
    resetEnvForTests();
    expect(refusal(request("POST", { Origin: "https://mc.example.com" }))).toBeNull();
    expect(refusal(request("POST", { Origin: "http://127.0.0.1:3000" }))).toBeNull();
    expect(refusal(request("POST", { Origin: "https://other.example.com" }))?.status).toBe(403);
  });
});
