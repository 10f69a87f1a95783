import { describe, expect, it } from "vitest";
import { withSearch } from "./search-params";

describe("withSearch", () => {
  it("sets, replaces and removes keys and keeps the rest", () => {
    expect(withSearch("?tag=a&priority=high", { priority: "low", "show.todo": 100 })).toBe("?tag=a&priority=low&show.todo=100");
    expect(withSearch("tag=a&priority=high", { tag: undefined, priority: "" })).toBe("?");
  });

  it("drops the empty values a GET form leaves behind", () => {
    expect(withSearch("?agent=&tag=&priority=high", {})).toBe("?priority=high");
  });
});
