import { parseWithZod } from "@conform-to/zod";
import { describe, expect, it } from "vitest";
import { AgentEditSchema, NewOrgSchema, OrgUsageSettingsSchema } from "./schemas";
import { isTimeZone, timeZoneNames } from "./time-zone";

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};

describe("time zones", () => {
  it("lists UTC first, then the runtime's IANA zones", () => {
    const names = timeZoneNames();
    expect(names[0]).toBe("UTC");
    expect(names).toContain("Europe/Berlin");
    expect(names).toContain("America/New_York");
  });

  it("accepts IANA names and aliases, never offsets or made-up names", () => {
    for (const zone of ["UTC", "Europe/Berlin", "Asia/Calcutta", "Etc/GMT+5"]) expect(isTimeZone(zone), zone).toBe(true);
    for (const zone of ["", "+05:00", "Mars/Olympus", "Europe/Berlin; drop table", "utc/../../etc", "x".repeat(100)]) expect(isTimeZone(zone), zone).toBe(false);
  });

  it("a new organization takes UTC when no zone came (no JavaScript) and refuses an unknown one with a sentence", () => {
    const none = parseWithZod(form({ name: "Acme" }), { schema: NewOrgSchema });
    expect(none.status === "success" && none.value.timeZone).toBe("UTC");
    const bad = parseWithZod(form({ name: "Acme", timeZone: "Mars/Olympus" }), { schema: NewOrgSchema });
    expect(bad.status).toBe("error");
    expect(bad.reply().error?.timeZone?.[0]).toBe('"Mars/Olympus" is not a time zone we know; pick one from the list, such as Europe/Berlin or UTC');
  });
});

describe("monthly budgets", () => {
  const budget = (value: string) => parseWithZod(form({ timeZone: "UTC", monthlyBudgetUsd: value }), { schema: OrgUsageSettingsSchema });
  const error = (value: string) => budget(value).reply().error?.monthlyBudgetUsd?.[0];

  it("takes dollars and cents; empty is no budget", () => {
    const set = budget("99.50");
    expect(set.status === "success" && set.value.monthlyBudgetUsd).toBe(99.5);
    const empty = budget("");
    expect(empty.status === "success" && empty.value.monthlyBudgetUsd).toBeUndefined();
    const zero = budget("0");
    expect(zero.status === "success" && zero.value.monthlyBudgetUsd).toBe(0);
  });

  it("answers bad amounts with a sentence", () => {
    expect(error("-5")).toBe("A budget cannot be negative; leave it empty for no budget");
    expect(error("lots")).toBe("Enter the budget as a number of dollars, such as 250 or 99.50, or leave it empty for no budget");
    expect(error("1000000.01")).toBe("A monthly budget can be at most $1,000,000");
    expect(error("10.005")).toBe("Use at most two decimals (whole cents)");
  });

  it("an agent's edit form takes the same budget", () => {
    const parsed = parseWithZod(form({ name: "Nova", role: "Dev", status: "online", monthlyBudgetUsd: "-1" }), { schema: AgentEditSchema });
    expect(parsed.reply().error?.monthlyBudgetUsd?.[0]).toBe("A budget cannot be negative; leave it empty for no budget");
  });
});
