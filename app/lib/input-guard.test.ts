import { describe, expect, it } from "vitest";
import { describePath, findJsonProblem, textProblem } from "./input-guard";

describe("textProblem", () => {
  it.each([
    ["plain", null],
    ["😀 and \uFFFD", null],
    ["a\u0000b", "nul"],
    ["\ud800", "surrogate"],
    ["\udc00x", "surrogate"],
    ["x\ud83d", "surrogate"],
  ])("%j → %s", (value, expected) => {
    expect(textProblem(value)).toBe(expected);
  });
});

describe("findJsonProblem", () => {
  it("finds the first bad string with its path", () => {
    expect(findJsonProblem({ a: [{ b: "ok" }, { c: "x\u0000" }] })).toEqual({ kind: "text", path: ["a", 1, "c"], problem: "nul", inKey: false });
  });

  it("finds a bad key", () => {
    expect(findJsonProblem({ ok: { "k\u0000": 1 } })).toMatchObject({ kind: "text", path: ["ok", "k\u0000"], inKey: true });
  });

  it("stops at the depth limit without recursion", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findJsonProblem(deep, 32)).toMatchObject({ kind: "depth" });
  });

  it("passes ordinary JSON", () => {
    expect(findJsonProblem({ title: "x", tags: ["a", "b"], n: 1, none: null })).toBeNull();
  });
});

describe("describePath", () => {
  it("reads like the field's name", () => {
    expect(describePath(["tags", 2])).toBe("tags[2]");
    expect(describePath(["a", "b"])).toBe("a.b");
    expect(describePath([])).toBe("the request body");
  });
});
