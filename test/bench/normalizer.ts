/*
 * Parse throughput of the activity normalizer on a ~100 MB transcript (issue 5, target ≥ 100 MB/s).
 *
 * The transcript is the recorded sample records of both gateway versions repeated, written to a temp
 * file and read back. Three figures, each over the same bytes in the same run:
 *   baseline:   split into lines + JSON.parse of every line, nothing else (the floor any JSONL reader pays)
 *   normalizer: parseJsonLines + normalizeTranscriptRecord of every record
 *   tailer:     TranscriptTailer catching up on the file from offset 0 (reads in 1 MB chunks, parses,
 *               normalizes, saves offsets), from start() until its initial scan is done
 * MB = 10^6 bytes. Chunks are cut at newlines and decoded inside the timed loop, as the tailer does.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { normalizeTranscriptRecord, parseJsonLines } from "~/activity/normalize";
import { MemoryOffsetStore, TranscriptTailer } from "~/ingest/transcript-tailer.server";
import { SAMPLES_DIR } from "~/gateway/testing/samples";

export const NORMALIZER_TARGET_MBPS = 100;

export interface NormalizerBenchResult {
  bytes: number;
  lines: number;
  events: number;
  baselineMBps: number;
  normalizerMBps: number;
  /** normalizer throughput / baseline throughput (1 = normalizing costs nothing over JSON.parse) */
  ratio: number;
  tailerMBps: number;
  targetMBps: number;
  met: boolean;
}

const CHUNK = 1024 * 1024;

async function sampleLines(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of ["transcripts", "v2026.7.35"]) {
    for (const name of await readdir(path.join(SAMPLES_DIR, dir))) {
      if (name.endsWith(".jsonl") && !name.endsWith(".trajectory.jsonl")) files.push(path.join(SAMPLES_DIR, dir, name));
    }
  }
  files.push(path.join(SAMPLES_DIR, "archives", "deleted-session.decompressed.jsonl"));
  const lines: string[] = [];
  for (const file of files) lines.push(...(await readFile(file, "utf8")).split("\n").filter((line) => line.trim() !== ""));
  return lines;
}

/** Cuts the file into ≤ 1 MB pieces that end at a newline. */
function chunksAtNewlines(data: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  while (start < data.length) {
    let end = Math.min(start + CHUNK, data.length);
    if (end < data.length) end = data.lastIndexOf(0x0a, end - 1) + 1;
    chunks.push(data.subarray(start, end));
    start = end;
  }
  return chunks;
}

function baselinePass(chunks: Buffer[]): number {
  let parsed = 0;
  for (const chunk of chunks) {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line !== "") {
        JSON.parse(line);
        parsed += 1;
      }
    }
  }
  return parsed;
}

function normalizerPass(chunks: Buffer[]): number {
  const context = { agentId: "main", sessionKey: "agent:main:bench", sessionId: "bench" };
  let events = 0;
  let carry = "";
  for (const chunk of chunks) {
    const result = parseJsonLines(chunk.toString("utf8"), carry);
    carry = result.carry;
    for (const record of result.records) events += normalizeTranscriptRecord(record, context).length;
  }
  return events;
}

function timed<T>(work: () => T): { seconds: number; value: T } {
  const started = performance.now();
  const value = work();
  return { seconds: (performance.now() - started) / 1000, value };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchNormalizer({ megabytes = Number(process.env.BENCH_TRANSCRIPT_MB ?? 100), runs = 3 } = {}): Promise<NormalizerBenchResult> {
  const lines = await sampleLines();
  const target = megabytes * 1_000_000;
  const parts: string[] = [];
  let size = 0;
  let lineCount = 0;
  while (size < target) {
    for (const line of lines) {
      parts.push(line, "\n");
      size += Buffer.byteLength(line) + 1;
      lineCount += 1;
    }
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), "mc-bench-normalizer-"));
  try {
    const sessions = path.join(dir, "agents", "main", "sessions");
    await mkdir(sessions, { recursive: true });
    const file = path.join(sessions, "bench.jsonl");
    await writeFile(file, parts.join(""));
    parts.length = 0;
    const data = await readFile(file);
    const chunks = chunksAtNewlines(data);
    const mb = data.length / 1_000_000;

    // warm both paths, then alternate so neither profits from running second
    baselinePass(chunks.slice(0, 5));
    normalizerPass(chunks.slice(0, 5));
    const baseline: number[] = [];
    const normalizer: number[] = [];
    let events = 0;
    for (let run = 0; run < runs; run++) {
      const base = timed(() => baselinePass(chunks));
      if (base.value !== lineCount) throw new Error(`baseline parsed ${base.value} lines, expected ${lineCount}`);
      baseline.push(mb / base.seconds);
      const norm = timed(() => normalizerPass(chunks));
      events = norm.value;
      normalizer.push(mb / norm.seconds);
    }

    let tailed = 0;
    const tailer = new TranscriptTailer({
      stateDir: dir,
      offsets: new MemoryOffsetStore(),
      onEvents: (batch) => {
        tailed += batch.length;
      },
    });
    const started = performance.now();
    await tailer.start();
    const tailerSeconds = (performance.now() - started) / 1000;
    await tailer.close();
    if (tailed !== events) throw new Error(`the tailer gave ${tailed} events, the normalizer ${events}`);

    const baselineMBps = median(baseline);
    const normalizerMBps = median(normalizer);
    return {
      bytes: data.length,
      lines: lineCount,
      events,
      baselineMBps,
      normalizerMBps,
      ratio: normalizerMBps / baselineMBps,
      tailerMBps: mb / tailerSeconds,
      targetMBps: NORMALIZER_TARGET_MBPS,
      met: normalizerMBps >= NORMALIZER_TARGET_MBPS,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface LongLineBenchResult {
  megabytes: number;
  /** JSON.parse of the line alone, in memory (the floor) */
  parseMs: number;
  /** the tailer reading it from disk in 1 MB chunks, parsing and normalizing it */
  tailerMs: number;
  /** the longest the event loop was held while the tailer read it */
  maxLagMs: number;
}

/**
 * One transcript line of ~40 MB (a tool result with a large file in it): the tailer must join its
 * chunks without copying the line over and over, and must not hold the event loop for long.
 */
export async function benchLongLine({ megabytes = 40 } = {}): Promise<LongLineBenchResult> {
  const line = `${JSON.stringify({
    type: "message",
    id: "long",
    timestamp: "2026-11-22T03:19:34.414Z",
    message: { role: "toolResult", toolName: "read", toolCallId: "c", content: [{ type: "text", text: "x".repeat(megabytes * 1_000_000) }], timestamp: 1795317573855 },
  })}\n`;
  const parse = timed(() => JSON.parse(line));
  const dir = await mkdtemp(path.join(os.tmpdir(), "mc-bench-longline-"));
  try {
    const sessions = path.join(dir, "agents", "main", "sessions");
    await mkdir(sessions, { recursive: true });
    await writeFile(path.join(sessions, "long.jsonl"), line);
    let events = 0;
    const tailer = new TranscriptTailer({ stateDir: dir, offsets: new MemoryOffsetStore(), onEvents: (batch) => void (events += batch.length) });
    let last = performance.now();
    let maxLagMs = 0;
    const probe = setInterval(() => {
      const now = performance.now();
      maxLagMs = Math.max(maxLagMs, now - last - 5);
      last = now;
    }, 5);
    const started = performance.now();
    await tailer.start();
    const tailerMs = performance.now() - started;
    clearInterval(probe);
    await tailer.close();
    if (events !== 1) throw new Error(`the long line gave ${events} events, expected 1`);
    return { megabytes: Buffer.byteLength(line) / 1_000_000, parseMs: parse.seconds * 1000, tailerMs, maxLagMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
