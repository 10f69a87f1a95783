import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import WebSocket from "ws";

/*
 * A real OpenClaw gateway for the contract tests, started by scripts/openclaw-gateway.sh (which
 * installs Node 24 and openclaw into ~/.cache/mission-control/openclaw on first use) on a free
 * loopback port, with a fresh state directory, a random token and the mock model on port+10.
 * startGateway() returns once the gateway has pushed connect.challenge on a real WebSocket.
 */

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SCRIPT = path.join(REPO_ROOT, "scripts", "openclaw-gateway.sh");
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const READY_TIMEOUT_MS = 90_000;
const OUTPUT_LIMIT = 64 * 1024;
const FORBIDDEN_PORTS = new Set([3000]);

export interface StartGatewayOptions {
  /** default: a free loopback port (port+10 must be free too, for the mock model) */
  port?: number;
  /** default: random */
  token?: string;
  /** reuse a state directory (to restart "the same" gateway); default: a new one, removed by stop() */
  stateDir?: string;
  /** openclaw version (default: the script's, 2026.9.6); 2026.7.35 writes transcript files */
  version?: string;
}

export interface StartedGateway {
  url: string;
  token: string;
  port: number;
  stateDir: string;
  /** the gateway process itself (not the script around it) */
  pid: number;
  /** from spawning the script to the first connect.challenge, in ms */
  readyMs: number;
  output(): string;
  /** crash the gateway (default SIGKILL) and wait until the script around it has exited */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** freeze (SIGSTOP) / thaw (SIGCONT) the gateway: the socket stays open but nothing answers */
  pause(): void;
  resume(): void;
  /** SIGTERM to the script (which stops gateway and mock model), wait, remove the state dir if we made it */
  stop(): Promise<void>;
}

const installed = new Map<string, Promise<void>>();

/** Installs Node 24 and openclaw on first use (cached under ~/.cache, never in the repo). */
export function installGateway(version?: string): Promise<void> {
  const key = version ?? "";
  let install = installed.get(key);
  if (!install) {
    install = promisify(execFile)("bash", [SCRIPT, "install"], { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024, env: gatewayEnv(version) })
      .then(() => undefined)
      .catch((error: Error & { stderr?: string }) => {
        installed.delete(key);
        throw new Error(`Could not install the OpenClaw gateway${version ? ` ${version}` : ""}: ${error.message}\n${error.stderr ?? ""}`);
      });
    installed.set(key, install);
  }
  return install;
}

export async function startGateway(options: StartGatewayOptions = {}): Promise<StartedGateway> {
  await installGateway(options.version);
  const port = options.port ?? (await freePortPair());
  if (FORBIDDEN_PORTS.has(port) || FORBIDDEN_PORTS.has(port + 10)) throw new Error(`port ${port} is reserved`);
  const token = options.token ?? `mc-${randomBytes(12).toString("hex")}`;
  const ownsStateDir = !options.stateDir;
  const stateDir = options.stateDir ?? mkdtempSync(path.join(os.tmpdir(), "mc-openclaw-"));

  const startedAt = Date.now();
  // its own process group, so stop() can reach everything the script started
  const child = spawn("bash", [SCRIPT, "start", "--port", String(port), "--token", token, "--state-dir", stateDir], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: gatewayEnv(options.version),
  });
  let output = "";
  const append = (chunk: Buffer) => {
    output = (output + stripAnsi(chunk.toString())).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = once(child, "exit").then(() => undefined);

  const failWith = async (reason: string): Promise<never> => {
    await stopChild(child, exited);
    if (ownsStateDir) rmSync(stateDir, { recursive: true, force: true });
    throw new Error(`${reason}\n--- gateway output (last lines) ---\n${output.split("\n").slice(-30).join("\n")}`);
  };

  let pid: number;
  try {
    pid = await waitForOutput(child, () => output, /gateway pid=(\d+)/, READY_TIMEOUT_MS).then((match) => Number(match[1]));
    await waitForOutput(child, () => output, /\[gateway\] ready/, READY_TIMEOUT_MS - (Date.now() - startedAt));
    await waitForChallenge(`ws://127.0.0.1:${port}`, child, READY_TIMEOUT_MS - (Date.now() - startedAt));
  } catch (error) {
    return failWith(`The OpenClaw gateway on port ${port} did not become ready: ${(error as Error).message}`);
  }
  const readyMs = Date.now() - startedAt;

  let stopped: Promise<void> | null = null;
  return {
    url: `ws://127.0.0.1:${port}`,
    token,
    port,
    stateDir,
    pid,
    readyMs,
    output: () => output,
    async kill(signal = "SIGKILL") {
      signalProcess(pid, signal);
      await exited; // the script notices, stops the mock model and exits
    },
    pause: () => signalProcess(pid, "SIGSTOP"),
    resume: () => signalProcess(pid, "SIGCONT"),
    stop() {
      stopped ??= (async () => {
        signalProcess(pid, "SIGCONT"); // a frozen gateway cannot shut down
        await stopChild(child, exited);
        if (ownsStateDir) rmSync(stateDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>) {
  if (child.exitCode === null && child.signalCode === null) {
    signalProcess(child.pid!, "SIGTERM");
    const timer = setTimeout(() => signalGroup(child.pid!, "SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
  }
  // anything of ours still in the group (the script waits for its children, so normally nothing)
  signalGroup(child.pid!, "SIGKILL");
}

function signalProcess(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // no such group left
  }
}

function waitForOutput(child: ChildProcess, read: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = read().match(pattern);
      if (!match) return;
      cleanup();
      resolve(match);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`the script exited (code ${code}, signal ${signal}) before printing ${pattern}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${pattern} within ${Math.round(timeoutMs / 1000)} s`));
    }, Math.max(0, timeoutMs));
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.off("data", check);
      child.stderr!.off("data", check);
      child.off("exit", onExit);
    };
    // registered after the harness's own listeners, so the output buffer is already updated
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    child.once("exit", onExit);
    check();
  });
}

/** Opens a WebSocket and resolves on the gateway's connect.challenge event. */
async function waitForChallenge(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "no attempt";
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (child.exitCode !== null) throw new Error("the gateway exited");
    try {
      await challengeOnce(url, Math.min(5_000, deadline - Date.now()));
      return;
    } catch (error) {
      lastError = (error as Error).message;
      // "ready" is logged just before the listener takes sockets on some boots: retry briefly
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt)));
    }
  }
  throw new Error(`no connect.challenge from ${url}: ${lastError}`);
}

function challengeOnce(url: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => finish(new Error(`no challenge within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      ws.removeAllListeners("message");
      ws.on("error", () => {});
      ws.terminate();
      if (error) reject(error);
      else resolve();
    };
    ws.on("message", (data) => {
      try {
        const frame = JSON.parse(String(data));
        if (frame.type === "event" && frame.event === "connect.challenge") finish();
      } catch {
        // not JSON: keep waiting
      }
    });
    ws.on("error", (error) => finish(error));
  });
}

/** A free loopback port whose +10 neighbour (the mock model's) is free too. */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    if (port + 10 > 65535 || FORBIDDEN_PORTS.has(port) || FORBIDDEN_PORTS.has(port + 10)) continue;
    if (await isFree(port + 10)) return port;
  }
  throw new Error("no free pair of loopback ports");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * Our environment without the test runner's markers: openclaw checks VITEST*, NODE_ENV=test and
 * the like and then behaves like its own test build (it never got ready under vitest).
 */
function gatewayEnv(version?: string): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|TINYPOOL|__VITEST)/.test(key) || key === "NODE_ENV" || key === "NODE_OPTIONS") continue;
    env[key] = value;
  }
  if (version) env.OPENCLAW_VERSION = version;
  return env as NodeJS.ProcessEnv;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}
