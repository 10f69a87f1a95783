import { execFile, spawn } from "node:child_process";

/*
 * The Docker CLI for end-to-end tests of the image: a fixed argv (never a shell string), a timeout
 * on every call, and errors that carry what docker said. Nothing here needs vitest.
 */
const DOCKER = "docker";

export interface DockerResult {
  stdout: string;
  stderr: string;
  /** wall time of the call, in ms */
  ms: number;
}

/** The argv as it may appear in a message: environment values (passwords, database URLs) masked. */
function shown(args: string[]) {
  return args.map((arg, index) => (args[index - 1] === "-e" || args[index - 1] === "--env" ? arg.replace(/=.*/s, "=…") : arg));
}

/** Runs `docker …args`; rejects with docker's stderr when it exits non-zero or outlives timeoutMs. */
export function docker(args: string[], options: { timeoutMs?: number } = {}): Promise<DockerResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(DOCKER, args, { timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const ms = performance.now() - started;
      if (error) {
        const why = (error as { killed?: boolean }).killed ? `timed out after ${options.timeoutMs ?? 60_000} ms` : `exited with ${(error as { code?: unknown }).code}`;
        reject(new Error(`\`docker ${shown(args).join(" ")}\` ${why}:\n${stderr || stdout}`.trim()));
      } else {
        resolve({ stdout: stdout.trim(), stderr: stderr.trim(), ms });
      }
    });
  });
}

/**
 * `docker wait <id>` as a child process: settles with the container's exit code when it exits,
 * whoever stopped it. Start it right after `docker run` to notice an early exit without polling.
 */
export function waitForExit(id: string): { exited: Promise<number>; cancel(): void } {
  const child = spawn(DOCKER, ["wait", id], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const exitCode = Number.parseInt(stdout.trim(), 10);
      if (code === 0 && Number.isInteger(exitCode)) resolve(exitCode);
      else reject(new Error(`\`docker wait ${id}\` ended with ${code}: ${stderr.trim() || stdout.trim()}`));
    });
  });
  // A cancelled wait (the test tears down first) must not surface as an unhandled rejection.
  exited.catch(() => {});
  return { exited, cancel: () => void child.kill() };
}

/** Parses `docker stats --format '{{.MemUsage}}'` ("143.5MiB / 23.4GiB") into MiB. */
export function parseMemUsageMiB(memUsage: string): number {
  const match = /^\s*([\d.]+)\s*([KMGT]i?B|B)\b/i.exec(memUsage);
  if (!match) throw new Error(`cannot read a memory figure from docker stats: ${JSON.stringify(memUsage)}`);
  const value = Number(match[1]);
  const unit = match[2]!.toUpperCase();
  const factors: Record<string, number> = {
    B: 1 / 1024 ** 2,
    KIB: 1 / 1024,
    KB: 1000 / 1024 ** 2,
    MIB: 1,
    MB: 1000 ** 2 / 1024 ** 2,
    GIB: 1024,
    GB: 1000 ** 3 / 1024 ** 2,
    TIB: 1024 ** 2,
    TB: 1000 ** 4 / 1024 ** 2,
  };
  return value * factors[unit]!;
}
