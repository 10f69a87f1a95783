import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { EventFrame, RequestFrame, ResponseFrame } from "../frames";

/*
 * Frames recorded from a real gateway (openclaw 2026.9.6), read at test time from the shared
 * samples beside the repository (CI clones the repo with ../shared next to it).
 */

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const SAMPLES_DIR = path.resolve(REPO_ROOT, "../shared/openclaw/samples");

function readJson<T>(relative: string): T {
  return JSON.parse(readFileSync(path.join(SAMPLES_DIR, relative), "utf8")) as T;
}

/** The full hello-ok response frame (466 methods, 64 events, policy.tickIntervalMs 30000). */
export function recordedHelloOk(): Extract<ResponseFrame, { ok: true }> {
  return readJson("hello-ok.json");
}

/** The connect.challenge event the gateway pushed when the socket opened. */
export function recordedChallenge(): EventFrame<{ nonce: string; ts: number }> {
  return readJson<{ challenge: EventFrame<{ nonce: string; ts: number }> }>("handshake-device.json").challenge;
}

export interface RecordedRpc {
  request: { method: string; params: Record<string, unknown> };
  response: ResponseFrame;
}

export function recordedRpc(method: string): RecordedRpc | null {
  try {
    return readJson<RecordedRpc>(`rpc/${method}.json`);
  } catch {
    return null;
  }
}

/** One recorded event frame per kind, keyed like "tick", "chat/final", "agent/lifecycle:start". */
export function recordedEventsByKind(): Record<string, EventFrame> {
  return readJson("event-frames-by-kind.json");
}

export interface RecordedLine {
  t: number;
  dir: "in" | "out";
  frame: EventFrame | RequestFrame | ResponseFrame;
}

/** Every frame of a session, both directions, in order. */
export function recordedSession(name: "client-frames-full-run.jsonl" | "client-frames-cron-run.jsonl"): RecordedLine[] {
  return readFileSync(path.join(SAMPLES_DIR, name), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RecordedLine);
}

/** The payload of a recorded successful response. */
export function recordedPayload(method: string): unknown {
  const recorded = recordedRpc(method);
  if (!recorded?.response.ok) throw new Error(`no recorded successful answer for ${method}`);
  return recorded.response.payload;
}
