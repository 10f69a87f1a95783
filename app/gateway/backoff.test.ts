import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF } from "./backoff";

describe("backoffDelay", () => {
  const options = { initialDelayMs: 1_000, maxDelayMs: 30_000, factor: 2, jitter: 0.5 };

  it("doubles from the initial delay and stops at the cap", () => {
    const top = () => 1; // the top of the jitter range is the undisturbed delay
    expect([0, 1, 2, 3, 4, 5, 6, 10, 50].map((attempt) => backoffDelay(attempt, options, top))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000,
    ]);
  });

  it("spreads each delay over [base·(1−jitter), base]", () => {
    expect(backoffDelay(2, options, () => 0)).toBe(2_000);
    expect(backoffDelay(2, options, () => 0.5)).toBe(3_000);
    expect(backoffDelay(2, options, () => 0.999999)).toBe(4_000);
    expect(backoffDelay(20, options, () => 0)).toBe(15_000);
  });

  it("never exceeds the cap whatever the random source says", () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const delay = backoffDelay(attempt, DEFAULT_BACKOFF);
      expect(delay).toBeGreaterThanOrEqual(DEFAULT_BACKOFF.initialDelayMs / 2);
      expect(delay).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxDelayMs);
    }
    expect(backoffDelay(3, options, () => 7)).toBe(8_000);
    expect(backoffDelay(3, options, () => -1)).toBe(4_000);
  });

  it("has no jitter when jitter is 0", () => {
    expect(backoffDelay(1, { ...options, jitter: 0 }, () => 0)).toBe(2_000);
  });
});
