/*
 * `node --import tsx test/bench/run-normalizer.ts`: the normalizer's parse throughput on a ~100 MB
 * transcript (BENCH_TRANSCRIPT_MB to change the size), as a Markdown table for docs/benchmarks.md.
 */
import { benchNormalizer } from "./normalizer";

const result = await benchNormalizer();
const row = (cells: Array<string | number>) => console.log(`| ${cells.join(" | ")} |`);
const mbps = (value: number) => value.toFixed(0);

console.log(`\n## Normalizer throughput: ${(result.bytes / 1e6).toFixed(1)} MB, ${result.lines.toLocaleString("en")} records, ${result.events.toLocaleString("en")} events\n`);
row(["pass", "MB/s"]);
row(["---", "---:"]);
row(["baseline: split lines + JSON.parse, no normalization", mbps(result.baselineMBps)]);
row(["parseJsonLines + normalizeTranscriptRecord", mbps(result.normalizerMBps)]);
row(["TranscriptTailer catching up on the file (1 MB reads, offsets saved)", mbps(result.tailerMBps)]);
console.log(
  `\nThe normalizer runs at ${(result.ratio * 100).toFixed(0)}% of the plain JSON.parse baseline. ` +
    `Target ≥ ${result.targetMBps} MB/s: ${result.met ? "met" : "MISSED"} (${mbps(result.normalizerMBps)} MB/s).`,
);
