import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findFreePort } from "../../app/db/embedded.server";

/*
 * Runs the BUILT server (`node build/server.js`, what `npm start` and the Docker image run) as a
 * child process for end-to-end tests and benchmarks. `npm test` builds before vitest runs.
 *
 * `startServer()` is for vitest (it creates a fresh database on the test server); `spawnBuiltServer()`
 * needs nothing from vitest, so the benchmarks use it too.
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SERVER_ENTRY = path.join(REPO_ROOT, "build", "server.js");
const READY_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 50;
const OUTPUT_LIMIT = 64 * 1024;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** time from the signal to the process closing its pipes, in ms (0 when it had already exited) */
  ms: number;
}

export interface SpawnedServer {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** settles when the process has exited and its output has been read */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** what the process wrote so far (the last 64 kB of each) */
  output(): { stdout: string; stderr: string };
  /** sends SIGTERM and waits for the process to exit; keeps the data dir */
  terminate(signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** terminate() if still running, then remove the data dir */
  stop(): Promise<ExitInfo>;
}

export interface StartedServer extends SpawnedServer {
  databaseUrl: string;
  /** terminate() if still running, then drop the database and remove the data dir */
  stop(): Promise<ExitInfo>;
}

export interface SpawnOptions {
  /** DATABASE_URL for the server; omitted = the server starts its embedded PostgreSQL in dataDir */
  databaseUrl?: string;
  /** another built server.js (the bench compares builds); default build/server.js */
  entry?: string;
  /** extra environment; a value of undefined removes a variable */
  env?: Record<string, string | undefined>;
  /** MC_DATA_DIR; default: a new temporary directory (removed by stop()) */
  dataDir?: string;
  /** wait for GET /ready to answer 200 (default true) */
  waitForReady?: boolean;
  /** listen on this port (a restart on the same address); default: a free one */
  port?: number;
}

/** Asks the kernel for a free loopback port (the same helper the embedded PostgreSQL uses). */
export const freePort = findFreePort;

function tail(buffer: string, chunk: string) {
  const next = buffer + chunk;
  return next.length > OUTPUT_LIMIT ? next.slice(-OUTPUT_LIMIT) : next;
}

export async function spawnBuiltServer(options: SpawnOptions = {}): Promise<SpawnedServer> {
  const entry = options.entry ?? SERVER_ENTRY;
  if (!existsSync(entry)) {
    throw new Error(`${path.relative(REPO_ROOT, entry)} is missing: run \`npm run build\` first (\`npm test\` does).`);
  }
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "mc-e2e-data-"));
  const port = options.port ?? (await freePort());

  const env: NodeJS.ProcessEnv = { ...process.env };
  const overrides: Record<string, string | undefined> = {
    // The built server as it runs in production, whatever the test runner set.
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    MC_DATA_DIR: dataDir,
    DATABASE_URL: options.databaseUrl,
    ...options.env,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }

  const child = spawn(process.execPath, [entry], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout = tail(stdout, chunk)));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr = tail(stderr, chunk)));

  // 'close' (not 'exit') so everything the process wrote has been read by then.
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void closed.then((result) => (exited = result));

  const url = `http://127.0.0.1:${port}`;
  const server: SpawnedServer = {
    url,
    port,
    dataDir,
    process: child,
    exited: closed,
    output: () => ({ stdout, stderr }),
    async terminate(signal = "SIGTERM") {
      if (exited) return { ...exited, ms: 0 };
      const started = performance.now();
      child.kill(signal);
      const result = await closed;
      return { ...result, ms: performance.now() - started };
    },
    async stop() {
      const result = await server.terminate();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };

  if (options.waitForReady === false) return server;

  try {
    await waitForReady(url, closed, () => stderr);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Polls GET /ready until it answers 200; fails at once with stderr if the process exits first. */
async function waitForReady(
  url: string,
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  stderr: () => string,
) {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void closed.then((result) => (exit = result));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (exit) {
      throw new Error(`The server exited before it was ready (code ${exit.code}, signal ${exit.signal}). stderr:\n${stderr()}`);
    }
    try {
      const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) });
      last = `${response.status} ${await response.text()}`;
      if (response.status === 200) return;
    } catch (error) {
      last = String(error);
    }
    // Whichever comes first: the next poll or the process exiting.
    await Promise.race([new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS)), closed]);
  }
  throw new Error(`The server was not ready after ${READY_TIMEOUT_MS / 1000} s (last /ready: ${last}). stderr:\n${stderr()}`);
}

/**
 * For vitest e2e tests: a fresh database on the test PostgreSQL server, then the built server on a
 * free port against it. stop() also drops the database.
 */
export async function startServer(options: { env?: Record<string, string | undefined> } = {}): Promise<StartedServer> {
  // Imported here so that spawnBuiltServer() works outside vitest (db.ts uses vitest's inject()).
  const { createTestDatabase } = await import("./db");
  const database = await createTestDatabase("mc_e2e");
  let spawned: SpawnedServer;
  try {
    spawned = await spawnBuiltServer({ databaseUrl: database.url, env: options.env });
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    ...spawned,
    databaseUrl: database.url,
    async stop() {
      const result = await spawned.stop();
      await database.drop();
      return result;
    },
  };
}

/** An API session token for a user of a running server (POST /api/auth/login). */
export async function apiSignIn(baseUrl: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`POST /api/auth/login answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}
