import { appendFile, mkdir, mkdtemp, readFile, rename, rm, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ActivityEvent } from "~/activity/normalize";
import { MemoryOffsetStore, TranscriptTailer, type TranscriptFile, type TranscriptTailerOptions } from "./transcript-tailer.server";

/*
 * The tailer on a temporary OpenClaw state directory. No sleeps: each test waits for the callback it
 * expects, and checks that nothing arrived with flush(), which reads every known file to its end.
 */

let stateDir: string;
let sessionsDir: string;
let tailers: TranscriptTailer[] = [];

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), "mc-tailer-"));
  sessionsDir = path.join(stateDir, "agents", "main", "sessions");
  await mkdir(sessionsDir, { recursive: true });
});

afterEach(async () => {
  await Promise.all(tailers.map((tailer) => tailer.close()));
  tailers = [];
  await rm(stateDir, { recursive: true, force: true });
});

/** A user-message transcript record whose text is `text` and whose own time is `at`. */
const record = (text: string, at = 1795317573855) =>
  `${JSON.stringify({ type: "message", id: `id-${text}`, parentId: null, timestamp: "2026-11-22T03:19:34.414Z", message: { role: "user", content: text, timestamp: at } })}\n`;

interface Harness {
  tailer: TranscriptTailer;
  events: Array<ActivityEvent & { file: TranscriptFile }>;
  warnings: Array<{ message: string; details?: object }>;
  sessions: Array<{ agentId: string; rows: Record<string, unknown> }>;
  texts(): string[];
  waitFor(predicate: () => boolean): Promise<void>;
}

function harness(offsets = new MemoryOffsetStore(), overrides: Partial<TranscriptTailerOptions> = {}): Harness {
  const waiters: Array<{ predicate: () => boolean; resolve: () => void }> = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.predicate()) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const h: Harness = {
    events: [],
    warnings: [],
    sessions: [],
    texts: () => h.events.map((event) => event.text ?? event.kind),
    waitFor: (predicate) =>
      new Promise<void>((resolve) => {
        waiters.push({ predicate, resolve });
        check();
      }),
    tailer: new TranscriptTailer({
      stateDir,
      offsets,
      onEvents: (events, file) => {
        h.events.push(...events.map((event) => ({ ...event, file })));
        check();
      },
      onSessions: (agentId, rows) => {
        h.sessions.push({ agentId, rows });
        check();
      },
      onWarning: (message, details) => {
        h.warnings.push({ message, details });
        check();
      },
      ...overrides,
    }),
  };
  tailers.push(h.tailer);
  return h;
}

describe("TranscriptTailer", () => {
  it("reads existing transcripts on start, then only what is appended, keyed through sessions.json", async () => {
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(path.join(sessionsDir, "sessions.json"), JSON.stringify({ "agent:main:mc-demo": { sessionId: "s1", model: "mock-1" } }));
    await writeFile(file, record("one", 1) + record("two", 2));
    const h = harness();
    await h.tailer.start();
    expect(h.texts()).toEqual(["one", "two"]);
    expect(h.events[0]).toMatchObject({ kind: "user_message", source: "transcript", agentId: "main", sessionId: "s1", sessionKey: "agent:main:mc-demo", at: 1 });
    expect(h.events[0]!.file).toEqual({ agentId: "main", sessionId: "s1", sessionKey: "agent:main:mc-demo", path: file });
    expect(h.sessions).toEqual([{ agentId: "main", rows: { "agent:main:mc-demo": { sessionId: "s1", model: "mock-1" } } }]);

    await appendFile(file, record("three", 3));
    await h.waitFor(() => h.events.length === 3);
    expect(h.texts()).toEqual(["one", "two", "three"]);
    expect(h.events[2]!.at).toBe(3);
  });

  it("falls back to agent:<agentId>:<sessionId> for a session sessions.json does not list", async () => {
    await writeFile(path.join(sessionsDir, "orphan.jsonl"), record("hi"));
    const h = harness();
    await h.tailer.start();
    expect(h.events[0]!.sessionKey).toBe("agent:main:orphan");
  });

  it("waits for the newline of a partial last line", async () => {
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(file, record("one"));
    const h = harness();
    await h.tailer.start();
    const line = record("two");
    await appendFile(file, line.slice(0, 40));
    await h.tailer.flush();
    expect(h.texts()).toEqual(["one"]);
    await appendFile(file, line.slice(40));
    await h.waitFor(() => h.events.length === 2);
    expect(h.texts()).toEqual(["one", "two"]);
  });

  it("delivers the last of a burst of appends without waiting for another write", async () => {
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(file, "");
    const h = harness();
    await h.tailer.start();
    // chokidar alone drops change events closer than 5 ms; the last ones must still arrive
    for (let i = 0; i < 200; i++) await appendFile(file, record(`burst ${i}`));
    await h.waitFor(() => h.events.length === 200);
    expect(h.texts()).toEqual(Array.from({ length: 200 }, (_, i) => `burst ${i}`));
  });

  it("goes on from its offset when a transcript is rewritten in place with the same lines (openclaw 2026.7 does: truncate, then write it all again)", async () => {
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(file, record("one") + record("two"));
    const h = harness();
    await h.tailer.start();
    await truncate(file, 0); // seen empty for a moment ...
    await h.tailer.flush(); // (looked at while empty)
    await writeFile(file, record("one") + record("two") + record("three")); // ... then whole again, and longer
    await h.waitFor(() => h.texts().includes("three"));
    await h.tailer.flush();
    expect(h.texts()).toEqual(["one", "two", "three"]);
    expect(h.warnings.map((warning) => warning.message)).not.toContain("Transcript was truncated; reading it again from the start");
  });

  it("starts again from 0 when a transcript is truncated", async () => {
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(file, record("one") + record("two") + record("three"));
    const h = harness();
    await h.tailer.start();
    await truncate(file, 0);
    await appendFile(file, record("new"));
    await h.waitFor(() => h.texts().includes("new"));
    await h.tailer.flush();
    expect(h.texts()).toEqual(["one", "two", "three", "new"]);
    expect(h.warnings.map((warning) => warning.message)).toContain("Transcript was truncated; reading it again from the start");
  });

  it("follows a rotation: the old file's last lines, then the new file from its start", async () => {
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(file, record("one") + record("two"));
    const h = harness();
    await h.tailer.start();
    // appended just before the rename: still read, from the file we hold open
    await appendFile(file, record("last words"));
    await rename(file, `${file}.deleted.2026-11-22T03-19-04.236Z`);
    await writeFile(file, record("fresh"));
    await h.waitFor(() => h.texts().includes("fresh") && h.texts().includes("last words"));
    await appendFile(file, record("fresh 2"));
    await h.waitFor(() => h.texts().includes("fresh 2"));
    await h.tailer.flush();
    expect(h.texts()).toEqual(["one", "two", "last words", "fresh", "fresh 2"]);
  });

  it("after a restart with the saved offsets, neither replays nor loses a record", async () => {
    const offsets = new MemoryOffsetStore();
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(file, record("one") + record("two"));
    const first = harness(offsets);
    await first.tailer.start();
    expect(first.texts()).toEqual(["one", "two"]);
    await first.tailer.close();

    // written while nothing was watching, the last line still half-written
    const half = record("five");
    await appendFile(file, record("three") + record("four") + half.slice(0, 25));
    const second = harness(offsets);
    await second.tailer.start();
    expect(second.texts()).toEqual(["three", "four"]);
    await appendFile(file, half.slice(25));
    await second.waitFor(() => second.events.length === 3);
    expect(second.texts()).toEqual(["three", "four", "five"]);
    await second.tailer.flush();
    expect(offsets.offsets.get(file)).toMatchObject({ offset: (record("one") + record("two") + record("three") + record("four") + half).length });
  });

  it("reads a file rewritten in place (same inode, now longer) from its start, not from the middle", async () => {
    const offsets = new MemoryOffsetStore();
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(file, record("one") + record("two"));
    const first = harness(offsets);
    await first.tailer.start();
    await first.tailer.close();
    // truncated and written again, longer than before, while nothing watched (writeFile keeps the inode)
    await writeFile(file, record("b1") + record("b2") + record("b3") + record("b4"));
    const second = harness(offsets);
    await second.tailer.start();
    expect(second.texts()).toEqual(["b1", "b2", "b3", "b4"]);
    expect(second.warnings.map((warning) => warning.message)).toContain("Transcript was rewritten; reading it again from the start");
    // and appends after that are read once
    await appendFile(file, record("b5"));
    await second.waitFor(() => second.events.length === 5);
    expect(second.texts()).toEqual(["b1", "b2", "b3", "b4", "b5"]);
  });

  it("reads a file replaced while it was not watched from its start", async () => {
    const offsets = new MemoryOffsetStore();
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(file, record("one") + record("two"));
    const first = harness(offsets);
    await first.tailer.start();
    await first.tailer.close();
    await rename(file, `${file}.old`);
    await writeFile(file, record("other one") + record("other two") + record("other three"));
    const second = harness(offsets);
    await second.tailer.start();
    expect(second.texts()).toEqual(["other one", "other two", "other three"]);
  });

  it("skips malformed lines and counts them in a warning", async () => {
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(file, `${record("one")}{"type":"message", broken\n${record("two")}not json either\n`);
    const h = harness();
    await h.tailer.start();
    expect(h.texts()).toEqual(["one", "two"]);
    expect(h.warnings).toEqual([{ message: "Skipped 2 malformed lines in a transcript", details: { file, malformed: 2, totalMalformed: 2 } }]);
    expect(h.tailer.stats()).toMatchObject({ malformedLines: 2, records: 2, events: 2 });
  });

  it("notices a new session file, and a new agent's first one, through file-system events", async () => {
    const h = harness();
    await h.tailer.start();
    expect(h.events).toEqual([]);

    await writeFile(path.join(sessionsDir, "new.jsonl"), record("hello"));
    await h.waitFor(() => h.events.length === 1);
    expect(h.events[0]).toMatchObject({ sessionId: "new", sessionKey: "agent:main:new", text: "hello" });

    const opsSessions = path.join(stateDir, "agents", "ops", "sessions");
    await mkdir(opsSessions, { recursive: true });
    await writeFile(path.join(opsSessions, "sessions.json"), JSON.stringify({ "agent:ops:main": { sessionId: "o1" } }));
    await writeFile(path.join(opsSessions, "o1.jsonl"), record("from ops"));
    await h.waitFor(() => h.events.length === 2);
    expect(h.events[1]).toMatchObject({ agentId: "ops", sessionKey: "agent:ops:main", text: "from ops" });
  });

  it("reads a trajectory rewritten whole (a temporary file renamed over it, as openclaw 2026.7 does) without repeating its earlier runs", async () => {
    const h = harness();
    await h.tailer.start();
    const file = path.join(sessionsDir, "t2.trajectory.jsonl");
    const line = (type: string, runId: string, ts: string) =>
      `${JSON.stringify({ traceSchema: "openclaw-trajectory", type, ts, sessionId: "t2", sessionKey: "agent:main:t2", runId, modelId: "mock-1" })}\n`;
    const run1 = line("session.started", "r1", "2026-11-28T04:55:45.656Z") + line("session.ended", "r1", "2026-11-28T04:55:45.964Z");
    const run2 = line("session.started", "r2", "2026-11-28T04:56:04.772Z") + line("session.ended", "r2", "2026-11-28T04:56:04.985Z");
    await writeFile(file, run1);
    await h.waitFor(() => h.events.length === 2);
    await writeFile(`${file}.tmp`, run1 + run2);
    await rename(`${file}.tmp`, file);
    await h.waitFor(() => h.events.length >= 4);
    await h.tailer.flush();
    expect(h.events.map((event) => `${event.kind}:${event.runId}`)).toEqual(["run_start:r1", "run_end:r1", "run_start:r2", "run_end:r2"]);
  });

  it("reads run boundaries from trajectory files and ignores files that are not live transcripts", async () => {
    const h = harness();
    await h.tailer.start();
    await mkdir(path.join(sessionsDir, "cold"), { recursive: true });
    await writeFile(path.join(sessionsDir, "cold", "c.jsonl"), record("cold"));
    await writeFile(path.join(sessionsDir, "gone.jsonl.deleted.2026-11-22T03-19-04.236Z"), record("deleted"));
    await mkdir(path.join(stateDir, "agents", "main", "agent"), { recursive: true });
    await writeFile(path.join(stateDir, "agents", "main", "agent", "x.jsonl"), record("elsewhere"));
    const started = { traceSchema: "openclaw-trajectory", type: "session.started", ts: "2026-11-22T03:22:41.310Z", sessionId: "t1", sessionKey: "agent:main:mc-v7-demo", runId: "r1", modelId: "mock-1" };
    await writeFile(path.join(sessionsDir, "t1.trajectory.jsonl"), `${JSON.stringify(started)}\n`);
    await h.waitFor(() => h.events.length === 1);
    await h.tailer.flush();
    expect(h.events).toMatchObject([{ kind: "run_start", sessionId: "t1", sessionKey: "agent:main:mc-v7-demo", runId: "r1", at: Date.parse(started.ts) }]);
  });

  it("reads in small chunks without splitting a line or a multi-byte character", async () => {
    const texts = ["héllo wörld ✓ 🦞".repeat(20), "plain", "日本語のテキスト".repeat(30)];
    await writeFile(path.join(sessionsDir, "s1.jsonl"), texts.map((text) => record(text)).join(""));
    const h = harness(new MemoryOffsetStore(), { chunkBytes: 64 });
    await h.tailer.start();
    expect(h.events.map((event) => event.text)).toEqual(texts.map((text) => (text.length > 500 ? `${text.slice(0, 499)}…` : text)));
  });

  it("keeps the offset when the consumer fails, so the records come again", async () => {
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(file, record("one"));
    let fail = true;
    const delivered: string[] = [];
    const h = harness(new MemoryOffsetStore(), {
      onEvents: (events) => {
        if (fail) throw new Error("database down");
        delivered.push(...events.map((event) => event.text!));
      },
    });
    await h.tailer.start();
    expect(h.warnings.length).toBeGreaterThan(0);
    expect(new Set(h.warnings.map((warning) => warning.message))).toEqual(new Set(["Reading a transcript failed; retrying"]));
    fail = false;
    await appendFile(file, record("two"));
    await h.tailer.flush();
    expect(delivered).toEqual(["one", "two"]);
  });

  it("reads again by itself after a failure, though nothing more is written", async () => {
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(file, record("last words"));
    let fail = true;
    let deliveredIt!: (texts: string[]) => void;
    const delivered = new Promise<string[]>((resolve) => (deliveredIt = resolve));
    const h = harness(new MemoryOffsetStore(), {
      onEvents: (events) => {
        if (fail) {
          fail = false; // the store is back for the next try
          throw new Error("database down");
        }
        deliveredIt(events.map((event) => event.text!));
      },
    });
    await h.tailer.start();
    expect(h.warnings.map((warning) => warning.message)).toContain("Reading a transcript failed; retrying");
    await expect(delivered).resolves.toEqual(["last words"]);
  });

  it("hands the consumer the offset its events end at, and leaves it to the consumer that stored it with them", async () => {
    const file = path.join(sessionsDir, "s1.jsonl");
    await writeFile(file, record("one") + "not json\n");
    const saved: number[] = [];
    const offsets = new MemoryOffsetStore();
    const set = offsets.set.bind(offsets);
    offsets.set = async (name, state) => {
      saved.push(state.offset);
      await set(name, state);
    };
    const handed: number[] = [];
    const h = harness(offsets, {
      onEvents: (_events, _file, next) => {
        handed.push(next.offset);
        return true; // stored with the events
      },
    });
    await h.tailer.start();
    const length = (await readFile(file)).length;
    expect(handed).toEqual([length]);
    expect(saved).toEqual([]);
    // a chunk with nothing to store (a malformed line) is saved by the tailer itself
    await appendFile(file, "still not json\n");
    await h.tailer.flush();
    expect(saved).toEqual([(await readFile(file)).length]);
    expect(handed).toHaveLength(1);
  });
});
