import { describe, expect, it } from "vitest";
import { TranscriptIngest, type RetryClock } from "./transcripts.server";

/*
 * The legacy folder's owner with its parts handed in: a lock that answers yes while held here (as
 * AdvisoryLocks does), a reader whose first read ends when the test says so, a clock the test ticks.
 */

function parts() {
  let held = false;
  let onLost = () => {};
  const ticks: Array<() => void> = [];
  const clock: RetryClock = (_ms, tick) => {
    ticks.push(tick);
    return () => ticks.splice(ticks.indexOf(tick), 1);
  };
  const readers: Array<{ finish: () => void; closed: boolean }> = [];
  const ingest = new TranscriptIngest(
    { databaseUrl: "unused", stateDir: "unused", retryMs: 100 },
    {
      locks: (lost) => {
        onLost = lost;
        return { tryAcquire: async () => (held = true), holds: () => held, close: async () => void (held = false) };
      },
      organizationId: async () => "org",
      tailer: () => {
        let finish!: () => void;
        const started = new Promise<void>((resolve) => (finish = resolve));
        const reader = { finish, closed: false };
        readers.push(reader);
        return { start: () => started, flush: async () => {}, close: async () => void (reader.closed = true) };
      },
      clock,
    },
  );
  const loseLock = () => {
    held = false;
    onLost();
  };
  return { ingest, ticks, readers, loseLock };
}

describe("legacy transcript ingest: one reader", () => {
  it("starts one reader however many retry ticks come during a slow first read", async () => {
    const { ingest, ticks, readers } = parts();
    const started = ingest.start();
    await Promise.resolve();
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let i = 0; i < 5; i++) for (const tick of [...ticks]) tick();
    await new Promise<void>((resolve) => setImmediate(resolve));
    readers[0]!.finish();
    await started;
    expect(readers).toHaveLength(1);
    expect(ingest.running).toBe(true);
    expect(ticks).toHaveLength(0); // no retry timer left armed while tailing
    await ingest.stop();
  });

  it("closes a reader whose lock was lost during its first read, arms one retry timer, and starts again on a tick", async () => {
    const { ingest, ticks, readers, loseLock } = parts();
    const started = ingest.start();
    await new Promise<void>((resolve) => setImmediate(resolve));
    loseLock();
    await new Promise<void>((resolve) => setImmediate(resolve));
    readers[0]!.finish();
    await started;
    expect(readers[0]!.closed).toBe(true);
    expect(ingest.running).toBe(false);
    expect(ticks).toHaveLength(1);
    ticks[0]!();
    await new Promise<void>((resolve) => setImmediate(resolve));
    readers[1]!.finish();
    await ingest.start();
    expect(ingest.running).toBe(true);
    expect(readers).toHaveLength(2);
    await ingest.stop();
  });
});
