import { describe, expect, it } from "vitest";
import { safeRedirectTarget } from "./safe-redirect";

const ORIGIN = "http://127.0.0.1:3000";

/** Where a browser on ORIGIN would land following `Location: <target>`. */
const landsOn = (target: string) => new URL(target, `${ORIGIN}/login`).origin;

describe("safeRedirectTarget", () => {
  const hostile = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/%2F%2Fevil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "%2F%2Fevil.example",
    "%09//evil.example",
    "\t//evil.example",
    " /\t/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\u0000/evil.example",
    " //evil.example",
    "https:evil.example",
    "https://evil.example",
    "HTTPS://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "@evil.example",
    "/login\r\nSet-Cookie: x=1",
    "",
    "x".repeat(3000),
  ];
  it.each(hostile)("refuses %j and answers the fallback", (target) => {
    expect(safeRedirectTarget(target)).toBe("/");
  });

  it("never answers a target a browser would resolve to another origin", () => {
    for (const target of hostile) expect(landsOn(safeRedirectTarget(target))).toBe(ORIGIN);
  });

  it.each([
    ["/", "/"],
    ["/boards/1?x=1#top", "/boards/1?x=1#top"],
    ["/invite/abc", "/invite/abc"],
    ["/tasks/%20a", "/tasks/%20a"],
    ["/caf\u00e9", "/caf%C3%A9"],
  ])("keeps the same-origin path %j", (target, expected) => {
    expect(safeRedirectTarget(target)).toBe(expected);
  });

  it("takes a fallback and ignores what is not a string", () => {
    expect(safeRedirectTarget(undefined, "/boards")).toBe("/boards");
    expect(safeRedirectTarget(42 as unknown)).toBe("/");
  });
});
