import { describe, expect, it } from "vitest";
import { dueView } from "./due-date";

describe("dueView", () => {
  it("is short within the year and names the year otherwise", () => {
    expect(dueView("2026-12-04", "2026-12-02", false)).toEqual({ short: "Dec 4", long: "Due Friday, December 4, 2026", tone: "later" });
    expect(dueView("2027-01-03", "2026-12-02", false).short).toBe("Jan 3, 2027");
  });

  it("says overdue and today, but never for a done task", () => {
    expect(dueView("2026-11-30", "2026-12-02", false)).toMatchObject({ tone: "overdue", long: "Overdue: Monday, November 30, 2026" });
    expect(dueView("2026-12-02", "2026-12-02", false).tone).toBe("today");
    expect(dueView("2026-11-30", "2026-12-02", true).tone).toBe("later");
  });
});
