import type { FileHandle } from "node:fs/promises";
import { open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { watch, type FSWatcher } from "chokidar";
import { normalizeTranscriptRecord, parseJsonLines, type ActivityEvent } from "~/activity/normalize";

/*
 * Tails the transcripts of a legacy OpenClaw state directory (gateways up to 2026.7):
 * `<stateDir>/agents/<agentId>/sessions/<sessionId>.jsonl` (and `<sessionId>.trajectory.jsonl`, which
 * holds the run boundaries), plus each agent's `sessions.json` for the session keys.
 *
 * File-system events only (chokidar over inotify, no directory polling). Each file is read from the
 * offset persisted after its last complete line, so a restart neither replays nor loses records;
 * appended bytes are read in chunks of at most 1 MB, yielding to the event loop between chunks. An
 * open file stays open while it is active, so bytes appended just before a rotation are still read
 * from the old file before the new one is started from 0, like `tail -F`.
 */

export interface OffsetState {
  offset: number;
  inode: number;
  size: number;
}

/** Where the tailer keeps how far it has read each file (the app keeps it in PostgreSQL). */
export interface OffsetStore {
  get(file: string): Promise<{ offset: number; inode?: number; size?: number } | null>;
  set(file: string, state: OffsetState): Promise<void>;
}

export class MemoryOffsetStore implements OffsetStore {
  readonly offsets = new Map<string, OffsetState>();
  async get(file: string) {
    return this.offsets.get(file) ?? null;
  }
  async set(file: string, state: OffsetState) {
    this.offsets.set(file, { ...state });
  }
}

export interface TranscriptFile {
  agentId: string;
  sessionId: string;
  sessionKey: string;
  /** absolute path; also the key in the OffsetStore */
  path: string;
}

export interface TranscriptTailerOptions {
  stateDir: string;
  offsets: OffsetStore;
  /**
   * Called in file order with the offset reached after these events. Answer true when the offset was
   * stored together with the events (one transaction: exactly once, even across a crash); otherwise
   * the tailer saves it once this resolves (at-least-once: a crash in between replays the chunk).
   */
  onEvents(events: ActivityEvent[], file: TranscriptFile, next: OffsetState): void | boolean | Promise<void | boolean>;
  /** An agent's sessions.json rows (session key -> row), whenever the file changes. */
  onSessions?(agentId: string, rows: Record<string, unknown>): void;
  onWarning?(message: string, details?: object): void;
  /** bytes per read, at most 1 MB */
  chunkBytes?: number;
  /** a file quiet this long has its descriptor closed (reopened on the next change) */
  idleCloseMs?: number;
}

export interface TailerStats {
  files: number;
  records: number;
  events: number;
  malformedLines: number;
  bytesRead: number;
}

const MAX_CHUNK = 1024 * 1024;
/** A "line" longer than this is not a transcript record; skip it rather than buffer without end. */
const MAX_LINE = 64 * 1024 * 1024;
const NEWLINE = 0x0a;

type FileKind = "transcript" | "trajectory" | "sessions";

interface FileState {
  path: string;
  kind: FileKind;
  agentId: string;
  sessionId: string;
  pending: boolean;
  running: Promise<void> | null;
  /** the last path event was an unlink */
  unlinked: boolean;
  loaded: boolean;
  offset: number;
  /** `offset` is just past a newline (or 0), as every saved offset is; not while a long line is skipped */
  atLineStart: boolean;
  /** the last bytes read before `offset` (up to TAIL_BYTES, ending with its newline); null when not known */
  tail: Buffer | null;
  /** when the file was first seen shorter than `offset` (it may be being rewritten) */
  shrunkSince: number | undefined;
  inode: number | undefined;
  handle: FileHandle | undefined;
  handleInode: number | undefined;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** after a failed read (the store down, say): when to try again without waiting for a write */
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  retryMs: number;
}

/** bytes before the offset compared with what was read there, to tell an append from a rewrite */
const TAIL_BYTES = 64;
/** how long a file may stay shorter than our offset before it counts as truncated (a rewrite in place takes less) */
const SHRINK_GRACE_MS = 500;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === "ENOENT";

export class TranscriptTailer {
  private readonly stateDir: string;
  private readonly chunkBytes: number;
  private readonly idleCloseMs: number;
  private watcher: FSWatcher | undefined;
  private readonly files = new Map<string, FileState>();
  /** agentId -> sessionId -> session key, from sessions.json */
  private readonly sessionKeys = new Map<string, Map<string, string>>();
  /** agentId -> "mtime:size" of the sessions.json last read */
  private readonly sessionsVersion = new Map<string, string>();
  private readonly sessionsLoading = new Map<string, Promise<void>>();
  private closed = false;
  private readonly counters: TailerStats = { files: 0, records: 0, events: 0, malformedLines: 0, bytesRead: 0 };

  constructor(private readonly options: TranscriptTailerOptions) {
    this.stateDir = path.resolve(options.stateDir);
    this.chunkBytes = Math.max(1, Math.min(options.chunkBytes ?? MAX_CHUNK, MAX_CHUNK));
    this.idleCloseMs = options.idleCloseMs ?? 30_000;
  }

  /** Resolves once every existing file has been read up to its end. */
  async start(): Promise<void> {
    if (this.watcher) throw new Error("TranscriptTailer already started");
    const watcher = watch(this.stateDir, {
      ignored: (file: string) => this.isIgnored(file),
      depth: 3,
      usePolling: false,
      awaitWriteFinish: false,
      ignoreInitial: false,
      // see unlink and add separately: a replaced file must be read from 0
      atomic: false,
      persistent: true,
    });
    this.watcher = watcher;
    watcher.on("add", (file) => void this.schedule(file, false));
    watcher.on("change", (file) => void this.schedule(file, false));
    watcher.on("unlink", (file) => void this.schedule(file, true));
    // chokidar drops a file's change event that comes within 5 ms of the previous one and sends no
    // trailing one, so the last append of a burst would wait for the next write; its raw fs events
    // are not throttled, so they wake the reader of a file we already know.
    watcher.on("raw", (event: string, name: string, details: unknown) => {
      const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
      if (event !== "change" || !watched || !name) return;
      const file = path.basename(watched) === name ? path.resolve(watched) : path.resolve(watched, name);
      if (this.files.has(file)) void this.schedule(file, false);
    });
    watcher.on("error", (error) => this.warn("Watching the OpenClaw state directory failed", { stateDir: this.stateDir, error: String(error) }));
    await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
    await this.flush();
  }

  /** Reads every known file up to its current end; resolves when all are caught up. */
  async flush(): Promise<void> {
    await Promise.all([...this.files.values()].map((state) => this.schedule(state.path, false)));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const state of this.files.values()) clearTimeout(state.retryTimer);
    await this.watcher?.close();
    await Promise.all([...this.files.values()].map((state) => state.running));
    for (const state of this.files.values()) await this.closeHandle(state);
  }

  stats(): TailerStats {
    return { ...this.counters, files: this.files.size };
  }

  /** Only the directories on the way to agents/<id>/sessions/ and the files we read in them. */
  private isIgnored(file: string): boolean {
    const relative = path.relative(this.stateDir, file);
    if (relative === "") return false;
    const parts = relative.split(path.sep);
    if (parts[0] !== "agents") return true;
    if (parts.length <= 2) return false;
    if (parts[2] !== "sessions") return true;
    if (parts.length === 3) return false;
    return parts.length > 4 || parseFileName(parts[3]!) === null;
  }

  private stateFor(file: string): FileState | undefined {
    const absolute = path.resolve(file);
    const existing = this.files.get(absolute);
    if (existing) return existing;
    const parts = path.relative(this.stateDir, absolute).split(path.sep);
    if (parts.length !== 4 || parts[0] !== "agents" || parts[2] !== "sessions") return undefined;
    const parsed = parseFileName(parts[3]!);
    if (!parsed) return undefined;
    const state: FileState = {
      path: absolute,
      ...parsed,
      agentId: parts[1]!,
      pending: false,
      running: null,
      unlinked: false,
      loaded: false,
      offset: 0,
      atLineStart: true,
      tail: null,
      shrunkSince: undefined,
      inode: undefined,
      handle: undefined,
      handleInode: undefined,
      idleTimer: undefined,
      retryTimer: undefined,
      retryMs: RETRY_FIRST_MS,
    };
    this.files.set(absolute, state);
    return state;
  }

  /** One reader per file: events that arrive while it reads make it read once more afterwards. */
  private schedule(file: string, unlinked: boolean): Promise<void> {
    const state = this.stateFor(file);
    if (!state || this.closed) return state?.running ?? Promise.resolve();
    if (unlinked) state.unlinked = true;
    state.pending = true;
    state.running ??= (async () => {
      while (state.pending && !this.closed) {
        state.pending = false;
        try {
          if (state.kind === "sessions") await this.loadSessions(state.agentId);
          else await this.drain(state);
          state.retryMs = RETRY_FIRST_MS;
        } catch (error) {
          // The offset stays where it was; read again after a while (or sooner, on the next change):
          // a session's last lines may never be followed by another write.
          this.warn("Reading a transcript failed; retrying", { file: state.path, error: String(error), retryInMs: state.retryMs });
          clearTimeout(state.retryTimer);
          state.retryTimer = setTimeout(() => void this.schedule(state.path, false), state.retryMs);
          state.retryTimer.unref();
          state.retryMs = Math.min(state.retryMs * 2, RETRY_MAX_MS);
        }
      }
      state.running = null;
    })();
    return state.running;
  }

  private async drain(state: FileState): Promise<void> {
    if (!state.loaded) {
      const stored = await this.options.offsets.get(state.path);
      state.offset = stored?.offset ?? 0;
      state.inode = stored?.inode;
      state.loaded = true;
    }
    // Whatever was appended to the file we have open, even if it was renamed away since.
    if (state.handle) await this.readToEnd(state);

    let current;
    try {
      current = await stat(state.path);
    } catch (error) {
      if (!isMissing(error)) throw error;
      await this.closeHandle(state);
      if (state.unlinked) {
        // gone (deleted or rotated away): a file that appears under this name is read from 0
        state.unlinked = false;
        state.offset = 0;
        state.inode = 0;
        await this.options.offsets.set(state.path, { offset: 0, inode: 0, size: 0 });
        // forget it (a long-running tailer sees many files come and go); a file that appears
        // under this name gets a fresh state, read from the offset just saved
        clearTimeout(state.retryTimer);
        if (this.files.get(state.path) === state) this.files.delete(state.path);
      }
      return;
    }
    if (state.unlinked && !state.handle && state.inode === current.ino && state.offset > 0) {
      // deleted, then created again while we held no descriptor: the file system may hand the new
      // file the old inode, but it is a new file
      this.warn("Transcript was deleted and created again; reading it from the start", { file: state.path });
      state.offset = 0;
    }
    state.unlinked = false;
    if (state.handle && state.handleInode !== current.ino) await this.closeHandle(state);
    if (!state.handle) {
      state.handle = await open(state.path, "r");
      state.handleInode = (await state.handle.stat()).ino;
      if (state.inode !== undefined && state.inode !== state.handleInode) {
        if (state.kind === "trajectory" && state.offset > 0) {
          // openclaw 2026.7 rewrites a trajectory whole on every update (a temporary file renamed
          // over it), earlier records first: go on from our offset. The line-start check in
          // readToEnd sends us back to the start if the new file does not begin with the old one.
        } else {
          if (state.inode !== 0) this.warn("Transcript was replaced; reading the new file from the start", { file: state.path });
          state.offset = 0;
        }
      }
      state.inode = state.handleInode;
    }
    await this.readToEnd(state);
    this.armIdleClose(state);
  }

  /** Reads the open handle from the saved offset to its end, one chunk at a time. */
  private async readToEnd(state: FileState): Promise<void> {
    const handle = state.handle!;
    const inode = state.handleInode!;
    const { size } = await handle.stat();
    if (size < state.offset) {
      // openclaw 2026.7 rewrites a transcript in place (truncates it, then writes it all again): a
      // file shorter than our offset may be one half rewritten. Look again shortly; only a file that
      // stays shorter was truncated for good, and is read again from its start.
      const now = Date.now();
      state.shrunkSince ??= now;
      if (now - state.shrunkSince < SHRINK_GRACE_MS) {
        clearTimeout(state.retryTimer);
        state.retryTimer = setTimeout(() => void this.schedule(state.path, false), SHRINK_GRACE_MS - (now - state.shrunkSince));
        state.retryTimer.unref();
        return;
      }
      this.warn("Transcript was truncated; reading it again from the start", { file: state.path, size, offset: state.offset });
      state.offset = 0;
      state.tail = null;
    }
    state.shrunkSince = undefined;
    const file = await this.describe(state);
    let position = state.offset;
    // The first read starts a little early: the bytes we last read before our offset (at least the
    // newline we stopped after) must still be there. If they are not, the file was rewritten with
    // other content, and is read again from its start; if they are, a rewrite of the same lines
    // (or an append) goes on from where we were. No extra read when something was appended.
    const expected = state.offset > 0 && state.atLineStart ? (state.tail && state.tail.length > 0 && state.tail.length <= state.offset ? state.tail : Buffer.from([NEWLINE])) : null;
    let probing = expected !== null;
    if (expected) position -= expected.length;
    // the start of a line not yet complete, in pieces: joined once, when its newline comes (joining
    // on every chunk would copy a long line over and over)
    let carry: Buffer[] = [];
    let carryLength = 0;
    let skippingLongLine = false;
    // one buffer per pass, sized to what is there (a small append does not cost a megabyte)
    const buffer = Buffer.allocUnsafe(Math.min(this.chunkBytes, Math.max(size - position, 64 * 1024)));
    while (!this.closed) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let data = buffer.subarray(0, bytesRead);
      if (probing) {
        probing = false;
        if (data.length < expected!.length || !data.subarray(0, expected!.length).equals(expected!)) {
          this.warn("Transcript was rewritten; reading it again from the start", { file: state.path, offset: state.offset });
          state.offset = 0;
          state.tail = null;
          position = 0;
          continue;
        }
        data = data.subarray(expected!.length);
        if (data.length === 0) continue;
      }
      this.counters.bytesRead += data.length;
      const newlineInChunk = data.lastIndexOf(NEWLINE);
      if (newlineInChunk === -1) {
        if (skippingLongLine) state.offset = position;
        else if (carryLength + data.length > MAX_LINE) {
          this.warn("Skipping a transcript line longer than 64 MB", { file: state.path, offset: state.offset });
          skippingLongLine = true;
          carry = [];
          carryLength = 0;
          state.offset = position;
          state.atLineStart = false;
        } else {
          // copied: the next read reuses the buffer
          carry.push(Buffer.from(data));
          carryLength += data.length;
        }
        continue;
      }
      const lastNewline = carryLength + newlineInChunk;
      if (carry.length > 0) data = Buffer.concat([...carry, data], carryLength + data.length);
      carry = [];
      carryLength = 0;
      let complete = data.subarray(0, lastNewline + 1);
      if (skippingLongLine) {
        complete = complete.subarray(complete.indexOf(NEWLINE) + 1);
        skippingLongLine = false;
      }
      // copied: the next read reuses the buffer
      if (lastNewline + 1 < data.length) {
        carry = [Buffer.from(data.subarray(lastNewline + 1))];
        carryLength = carry[0]!.length;
      }
      const next: OffsetState = { offset: position - carryLength, inode, size: Math.max(size, position) };
      const stored = await this.emit(state, file, complete.toString("utf8"), next);
      state.offset = next.offset;
      state.atLineStart = true;
      // copied: `complete` may point into the read buffer
      state.tail = Buffer.from(complete.subarray(Math.max(0, complete.length - TAIL_BYTES)));
      // Saved only once the events are handed over (unless they were stored with it): a crash
      // replays this chunk, never loses it.
      if (!stored) await this.options.offsets.set(state.path, next);
      await yieldToEventLoop();
    }
  }

  /** True when the consumer stored `next` with the events. */
  private async emit(state: FileState, file: TranscriptFile, text: string, next: OffsetState): Promise<boolean> {
    const { records, malformed } = parseJsonLines(text, "");
    if (malformed > 0) {
      this.counters.malformedLines += malformed;
      this.warn(`Skipped ${malformed} malformed line${malformed === 1 ? "" : "s"} in a transcript`, {
        file: state.path,
        malformed,
        totalMalformed: this.counters.malformedLines,
      });
    }
    this.counters.records += records.length;
    const events: ActivityEvent[] = [];
    for (const record of records) {
      for (const event of normalizeTranscriptRecord(record, file)) events.push(event);
    }
    if (events.length === 0) return false;
    this.counters.events += events.length;
    return (await this.options.onEvents(events, file, next)) === true;
  }

  private async describe(state: FileState): Promise<TranscriptFile> {
    let keys = this.sessionKeys.get(state.agentId);
    if (!keys?.has(state.sessionId)) {
      // A new session's file can appear before sessions.json lists it; look again before guessing.
      await this.loadSessions(state.agentId);
      keys = this.sessionKeys.get(state.agentId);
    }
    const sessionKey = keys?.get(state.sessionId) ?? `agent:${state.agentId}:${state.sessionId}`;
    return { agentId: state.agentId, sessionId: state.sessionId, sessionKey, path: state.path };
  }

  /** One read of an agent's sessions.json at a time, so each version is read and reported once. */
  private loadSessions(agentId: string): Promise<void> {
    const next = (this.sessionsLoading.get(agentId) ?? Promise.resolve()).then(() => this.readSessions(agentId));
    this.sessionsLoading.set(agentId, next.catch(() => {}));
    return next;
  }

  private async readSessions(agentId: string): Promise<void> {
    const file = path.join(this.stateDir, "agents", agentId, "sessions", "sessions.json");
    let version: string;
    try {
      const info = await stat(file);
      version = `${info.mtimeMs}:${info.size}`;
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    if (this.sessionsVersion.get(agentId) === version) return;
    let rows: unknown;
    try {
      rows = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      // usually caught mid-write; the write's own change event brings us back
      this.warn("sessions.json could not be read; keeping the session keys we had", { file, error: String(error) });
      return;
    }
    if (typeof rows !== "object" || rows === null || Array.isArray(rows)) return;
    const keys = new Map<string, string>();
    for (const [sessionKey, row] of Object.entries(rows)) {
      const sessionId = (row as { sessionId?: unknown } | null)?.sessionId;
      if (typeof sessionId === "string") keys.set(sessionId, sessionKey);
    }
    this.sessionKeys.set(agentId, keys);
    this.sessionsVersion.set(agentId, version);
    this.options.onSessions?.(agentId, rows as Record<string, unknown>);
  }

  private armIdleClose(state: FileState) {
    clearTimeout(state.idleTimer);
    state.idleTimer = setTimeout(() => {
      if (state.running) return this.armIdleClose(state);
      void this.closeHandle(state);
    }, this.idleCloseMs);
    state.idleTimer.unref();
  }

  private async closeHandle(state: FileState) {
    clearTimeout(state.idleTimer);
    state.idleTimer = undefined;
    const handle = state.handle;
    state.handle = undefined;
    state.handleInode = undefined;
    await handle?.close().catch(() => {});
  }

  private warn(message: string, details?: object) {
    this.options.onWarning?.(message, details);
  }
}

/** `<sessionId>.jsonl`, `<sessionId>.trajectory.jsonl`, `sessions.json`; anything else is not ours. */
function parseFileName(name: string): { kind: FileKind; sessionId: string } | null {
  if (name === "sessions.json") return { kind: "sessions", sessionId: "" };
  if (name.endsWith(".trajectory.jsonl")) return { kind: "trajectory", sessionId: name.slice(0, -".trajectory.jsonl".length) };
  if (name.endsWith(".jsonl") && name.length > ".jsonl".length) return { kind: "transcript", sessionId: name.slice(0, -".jsonl".length) };
  return null;
}
