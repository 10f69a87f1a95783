import { describe, expect, it } from "vitest";
import { recordedPayload } from "~/gateway/testing/samples";
import { formatIn, summarizeSnapshots } from "./gateway-snapshot-summary";

const takenAt = new Date("2026-12-02T10:00:00Z");

describe("snapshot cards", () => {
  it("read the recorded 2026.9.6 answers as Health, Usage, Crons, Sessions and Models, in words", () => {
    const cron = recordedPayload("cron.list") as { jobs: Array<{ state: { nextRunAtMs: number } }> };
    const now = Math.min(...cron.jobs.map((job) => job.state.nextRunAtMs)) - 30 * 60_000;
    const cards = summarizeSnapshots({
      rows: [
        { kind: "health", takenAt, data: recordedPayload("health") },
        { kind: "cron", takenAt, data: cron },
        { kind: "models", takenAt, data: recordedPayload("models.list") },
        { kind: "sessions", takenAt, data: { count: 4, totalCount: 4 } },
      ],
      days: [
        { day: "2026-12-01", totalTokens: 1000, totalCost: 0.01 },
        { day: "2026-12-02", totalTokens: 9030, totalCost: 0.028 },
      ],
      now,
    });
    expect(cards.map((card) => card.title)).toEqual(["Health", "Usage", "Crons", "Sessions", "Models"]);
    const [health, usage, crons, sessions] = cards;
    expect(health).toMatchObject({ summary: "Healthy.", tone: "ok", takenAt: takenAt.getTime() });
    expect(health!.facts).toContainEqual({ label: "Plugins", value: "14 loaded" });
    expect(usage!.summary).toBe("$0.0380 over the last 2 days with usage.");
    expect(usage!.facts).toContainEqual({ label: "Tokens, 2 days", value: "10,030" });
    expect(crons).toMatchObject({ summary: `${cron.jobs.length} jobs scheduled, all fine.`, tone: "ok" });
    expect(crons!.facts).toContainEqual({ label: "Next run", value: "in 30 min" });
    expect(sessions!.summary).toBe("4 sessions on the gateway.");
  });

  it("says what is missing or failing instead of showing nothing", () => {
    const cards = summarizeSnapshots({
      rows: [
        { kind: "health", takenAt, data: { ok: false, plugins: { loaded: [], errors: [] } } },
        { kind: "cron", takenAt, data: { jobs: [{ enabled: true, state: { lastRunStatus: "error" } }, { enabled: false, state: {} }] } },
      ],
      days: [],
      now: Date.now(),
    });
    expect(cards[0]).toMatchObject({ summary: "The gateway reports a problem.", tone: "danger" });
    expect(cards[1]).toMatchObject({ summary: "Not polled yet.", takenAt: null });
    expect(cards[2]).toMatchObject({ summary: "1 job failed on the last run.", tone: "danger" });
    expect(cards[2]!.facts).toContainEqual({ label: "Jobs", value: "2 (1 enabled)" });
    expect(cards[4]).toMatchObject({ title: "Models", summary: "Not polled yet." });
    expect(formatIn(90 * 60_000)).toBe("2 h");
  });
});
