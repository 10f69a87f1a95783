import { describe, expect, it } from "vitest";
import {
  addDays,
  budgetStatus,
  dayInZone,
  dayLengthHours,
  dayRange,
  daysFrom,
  daysInMonth,
  describeCost,
  isDay,
  isTimeZone,
  monthEnd,
  monthStart,
  projectMonth,
  sumUsage,
  zoneDayStart,
} from "./cost-math";
import type { UsageSums } from "./costs";

const sums = (over: Partial<UsageSums>): UsageSums => ({
  cost: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  totalTokens: 0,
  calls: 0,
  missingCostEntries: 0,
  ...over,
});

describe("days of a zone", () => {
  it("cuts days in the zone, not in UTC: 23:30 UTC on Nov 30 is Dec 1 in Berlin", () => {
    const ms = Date.UTC(2026, 10, 30, 23, 30);
    expect(dayInZone(ms, "UTC")).toBe("2026-11-30");
    expect(dayInZone(ms, "Europe/Berlin")).toBe("2026-12-01");
    expect(dayInZone(ms, "America/New_York")).toBe("2026-11-30");
    expect(monthStart(dayInZone(ms, "Europe/Berlin"))).toBe("2026-12-01");
    expect(monthStart(dayInZone(ms, "UTC"))).toBe("2026-11-01");
  });

  it("knows zone names", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });

  it("steps calendar days across months, years and leap days", () => {
    expect(addDays("2026-11-30", 1)).toBe("2026-12-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(daysFrom("2026-01-01", "2027-01-01")).toBe(365);
    expect(daysFrom("2026-01-05", "2026-01-01")).toBe(-4);
    expect(daysInMonth("2028-02-10")).toBe(29);
    expect(daysInMonth("2026-02-10")).toBe(28);
    expect(monthEnd("2026-04-03")).toBe("2026-04-30");
    expect(dayRange("2026-12-30", "2027-01-02")).toEqual(["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]);
    expect(dayRange("2026-01-02", "2026-01-01")).toEqual([]);
  });

  it("accepts only real calendar dates", () => {
    expect(isDay("2026-02-28")).toBe(true);
    expect(isDay("2028-02-29")).toBe(true);
    expect(isDay("2026-02-29")).toBe(false);
    expect(isDay("2026-13-01")).toBe(false);
    expect(isDay("2026-1-01")).toBe(false);
    expect(isDay("2026-01-01T00:00")).toBe(false);
  });

  it.each([
    ["Europe/Berlin", "2026-10-25", 25],
    ["Europe/Berlin", "2026-03-29", 23],
    ["America/New_York", "2026-03-08", 23],
    ["America/New_York", "2026-11-01", 25],
  ])("a DST change in %s on %s is one whole day of %i hours: none lost, none doubled", (zone, day, hours) => {
    expect(dayLengthHours(day, zone)).toBe(hours);
    const start = zoneDayStart(addDays(day, -1), zone);
    const end = zoneDayStart(addDays(day, 2), zone);
    const seen: string[] = [];
    for (let ms = start; ms < end; ms += 15 * 60_000) {
      const d = dayInZone(ms, zone);
      if (seen[seen.length - 1] !== d) seen.push(d);
    }
    expect(seen).toEqual([addDays(day, -1), day, addDays(day, 1)]);
    expect(dayRange(addDays(day, -1), addDays(day, 1))).toEqual(seen);
    expect(dayInZone(zoneDayStart(day, zone), zone)).toBe(day);
    expect(dayInZone(zoneDayStart(day, zone) - 1, zone)).toBe(addDays(day, -1));
  });
});

describe("sums", () => {
  it("adds cache tokens into their own columns and into the total", () => {
    const total = sumUsage([
      sums({ cost: 0.00348, inputTokens: 900, cacheReadTokens: 100, outputTokens: 50, totalTokens: 1050, calls: 1 }),
      // a row whose total the gateway left at 0: the parts make it
      sums({ cost: 0.001, inputTokens: 10, cacheReadTokens: 5, cacheWriteTokens: 7, outputTokens: 3, calls: 1 }),
    ]);
    expect(total.cacheReadTokens).toBe(105);
    expect(total.cacheWriteTokens).toBe(7);
    expect(total.totalTokens).toBe(1050 + 25);
    expect(total.cost).toBeCloseTo(0.00448, 10);
    expect(total.calls).toBe(2);
  });

  it("counts missing costs and never states them as $0", () => {
    const allMissing = sumUsage([sums({ calls: 3, missingCostEntries: 3, inputTokens: 10 })]);
    expect(allMissing.missingCostEntries).toBe(3);
    const unknown = describeCost(allMissing);
    expect(unknown.kind).toBe("unknown");
    expect(unknown.amount).toBeNull();
    expect(unknown.text).not.toMatch(/\$0/);
    expect(unknown.text).toContain("3 calls without a price");

    const partial = describeCost(sumUsage([sums({ cost: 1.5, calls: 4, missingCostEntries: 1 })]));
    expect(partial).toMatchObject({ kind: "partial", amount: 1.5, missing: 1 });
    expect(partial.text).toBe("$1.50 + 1 call without a price");

    expect(describeCost(sums({ cost: 0, calls: 0 }))).toMatchObject({ kind: "known", amount: 0, text: "$0.00" });
    expect(describeCost(sums({ cost: 0.00348, calls: 1 })).text).toBe("$0.0035");
  });
});

describe("projection", () => {
  it("takes the 7 days before today, today at the larger of its spend and the rate", () => {
    const pastDays = dayRange("2026-12-03", "2026-12-09").map((day) => ({ day, cost: 2 }));
    // a day outside the window and today's own row are not part of the rate
    pastDays.push({ day: "2026-12-02", cost: 100 }, { day: "2026-12-10", cost: 50 });
    const low = projectMonth({ today: "2026-12-10", monthSoFar: 115, todaySoFar: 1, pastDays, firstDay: "2026-11-01" });
    expect(low.projection).toMatchObject({ method: "trailing-7-day-average", days: 7, dailyRate: 2 });
    // 114 before today + today at 2 (more than its 1) + 21 days × 2
    expect(low.projectedMonth).toBeCloseTo(114 + 2 + 21 * 2, 10);
    expect(low.projection.explanation).toContain("7 days before today");
    expect(low.projection.explanation).not.toMatch(/only/);

    const high = projectMonth({ today: "2026-12-10", monthSoFar: 124, todaySoFar: 10, pastDays, firstDay: "2026-11-01" });
    expect(high.projectedMonth).toBeCloseTo(114 + 10 + 21 * 2, 10);
  });

  it("with fewer than 7 days of history averages over the days there are, and says so", () => {
    const { projection, projectedMonth } = projectMonth({
      today: "2026-12-04",
      monthSoFar: 7,
      todaySoFar: 0,
      pastDays: [
        { day: "2026-12-01", cost: 3 },
        { day: "2026-12-03", cost: 4 },
      ],
      firstDay: "2026-12-01",
    });
    // Dec 1, 2, 3: three days of history, Dec 2 cost nothing
    expect(projection.days).toBe(3);
    expect(projection.dailyRate).toBeCloseTo(7 / 3, 10);
    expect(projection.explanation).toContain("only 3 days of history, not 7");
    expect(projectedMonth).toBeCloseTo(7 + (7 / 3) * 28, 10);
  });

  it("with no history before today projects the month so far", () => {
    const { projection, projectedMonth } = projectMonth({ today: "2026-12-04", monthSoFar: 5, todaySoFar: 5, pastDays: [], firstDay: "2026-12-04" });
    expect(projection.days).toBe(0);
    expect(projection.dailyRate).toBe(0);
    expect(projectedMonth).toBe(5);
    expect(projection.explanation).toMatch(/no day before today/);
    expect(projectMonth({ today: "2026-12-04", monthSoFar: 0, todaySoFar: 0, pastDays: [], firstDay: null }).projection.days).toBe(0);
  });

  it("on the last day of a month counts only today", () => {
    const pastDays = dayRange("2026-11-23", "2026-11-29").map((day) => ({ day, cost: 1 }));
    const { projectedMonth } = projectMonth({ today: "2026-11-30", monthSoFar: 30, todaySoFar: 0.5, pastDays, firstDay: "2026-01-01" });
    expect(projectedMonth).toBeCloseTo(29.5 + 1, 10);
  });
});

describe("budget", () => {
  it("runs out on the first day the projected cumulative spend passes it", () => {
    const monthDays = dayRange("2026-12-01", "2026-12-09").map((day) => ({ day, cost: 2 }));
    // 18 before today, today at max(1, 2) = 2 → 20 at the end of Dec 10, then 2 a day: 30.5 passes on Dec 16 (32)
    const status = budgetStatus({ monthlyUsd: 30.5, today: "2026-12-10", monthDays, todaySoFar: 1, dailyRate: 2, projectedMonth: 62 });
    expect(status).toEqual({ monthlyUsd: 30.5, spent: 19, projected: 62, runsOutOn: "2026-12-16", exceeded: false });
  });

  it("does not run out when the month ends first", () => {
    const status = budgetStatus({ monthlyUsd: 1000, today: "2026-12-10", monthDays: [], todaySoFar: 1, dailyRate: 2, projectedMonth: 43 });
    expect(status.runsOutOn).toBeNull();
    expect(status.exceeded).toBe(false);
  });

  it("is exceeded when the actual spend already passed it, on the day it did", () => {
    const monthDays = [
      { day: "2026-12-01", cost: 5 },
      { day: "2026-12-02", cost: 6 },
      { day: "2026-11-30", cost: 99 },
    ];
    const status = budgetStatus({ monthlyUsd: 10, today: "2026-12-05", monthDays, todaySoFar: 0, dailyRate: 0, projectedMonth: 11 });
    expect(status.exceeded).toBe(true);
    expect(status.spent).toBe(11);
    expect(status.runsOutOn).toBe("2026-12-02");
  });
});
