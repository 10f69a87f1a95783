import { describe, expect, it } from "vitest";
import { LatencyWindow } from "./liveness";

describe("LatencyWindow", () => {
  it("gives the last sample and the median of the last N, so one slow pong does not move the figure", () => {
    const window = new LatencyWindow(5);
    expect(window.median()).toBeNull();
    expect(window.add(10)).toEqual({ last: 10, p50: 10 });
    expect(window.add(20)).toEqual({ last: 20, p50: 15 });
    window.add(12);
    window.add(11);
    expect(window.add(900)).toEqual({ last: 900, p50: 12 });
    // only the last five count: the early fast samples fall out
    for (const ms of [300, 310, 320]) window.add(ms);
    expect(window.median()).toBe(310);
    window.clear();
    expect(window.median()).toBeNull();
  });
});
