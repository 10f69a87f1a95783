import { describe, expect, it } from "vitest";
import { processSingleton } from "./singleton";

describe("processSingleton", () => {
  it("shares one value between two handles of the same name (a module loaded twice)", () => {
    const first = processSingleton<{ n: number }>("test.shared");
    const second = processSingleton<{ n: number }>("test.shared");
    const value = { n: 1 };
    first.set(value);
    expect(second.get()).toBe(value);
    first.set(undefined);
    expect(second.get()).toBeUndefined();
  });

  it("says what is missing when required before it is set", () => {
    const handle = processSingleton<number>("test.missing", "The widget is not started.");
    expect(() => handle.require()).toThrow("The widget is not started.");
    handle.set(0);
    expect(handle.require()).toBe(0);
    handle.set(undefined);
  });
});
