import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, parseMemUsageMiB, waitForExit } from "../support/docker";
import { apiSignIn, freePort } from "../support/server";

/*
 * The Docker image as people run it, not assumed: `.ci/run` builds it and sets MC_DOCKER_IMAGE; this
 * file starts it twice on the host network bound to 127.0.0.1 (once on its embedded PostgreSQL in
 * the /data volume, once against a database on the test PostgreSQL through DATABASE_URL) and checks
 * /ready, a sign-in, a signed-in page with its assets, the uid of the server process, and that
 * `docker stop` ends it with exit 0 well inside Docker's 10 s grace period. Everything it creates
 * (containers, volumes, the database) is removed by the name it gave them.
 *
 * Without MC_DOCKER_IMAGE (a machine without Docker) the tests are reported as skipped, with the
 * reason; with it, a missing image or daemon is a failure.
 */
const IMAGE = process.env.MC_DOCKER_IMAGE;
const SKIPPED = "MC_DOCKER_IMAGE is not set: build the image and set it (.ci/run does both) to run these tests";
const READY_DEADLINE_MS = 60_000;
const READY_TARGET_MS = 20_000;
const STOP_TARGET_MS = 10_000;
/** ARCHITECTURE.md: idle RSS < 200 MB for web+jobs+ingest; the embedded PostgreSQL comes on top. */
const MEMORY_TARGET_MIB = 256;
const OWNER = { username: "container-owner", password: "container-password-1", orgName: "Container Org" };

/** Figures for docs/benchmarks.md, printed once at the end. */
const figures: Record<string, Record<string, number | string>> = {};

const suite = IMAGE ? describe : describe.skip;
// Skipped statically (not with ctx.skip() at run time) so that the file, too, counts as skipped.
if (!IMAGE) it.skip(`the Docker image: skipped, ${SKIPPED}`);

interface Container {
  name: string;
  volume: string;
  id: string;
  url: string;
  exited: Promise<number>;
  cancelWait(): void;
  readyMs: number;
}

async function logsOf(name: string) {
  try {
    const { stdout, stderr } = await docker(["logs", "--tail", "80", name], { timeoutMs: 10_000 });
    return [stdout, stderr].filter(Boolean).join("\n");
  } catch (error) {
    return String(error);
  }
}

/** Names for a container and its /data volume, chosen before `docker run` so teardown can always remove them. */
function namesFor(mode: string) {
  const suffix = randomBytes(4).toString("hex");
  return { name: `mc-e2e-${mode}-${suffix}`, volume: `mc-e2e-${mode}-data-${suffix}` };
}

/** `docker run` on a free port; resolves once GET /ready answers 200, fails at once if the container exits. */
async function runContainer({ name, volume }: { name: string; volume: string }, env: Record<string, string>): Promise<Container> {
  const port = await freePort();
  const envArgs = Object.entries({ HOST: "127.0.0.1", PORT: String(port), ...env }).flatMap(([key, value]) => ["-e", `${key}=${value}`]);
  const started = performance.now();
  const { stdout: id } = await docker(["run", "--detach", "--name", name, "--network", "host", "--volume", `${volume}:/data`, ...envArgs, IMAGE!]);
  const wait = waitForExit(id);
  let exitCode: number | undefined;
  void wait.exited.then((code) => (exitCode = code));

  const url = `http://127.0.0.1:${port}`;
  const deadline = started + READY_DEADLINE_MS;
  let last = "no answer yet";
  while (performance.now() < deadline) {
    if (exitCode !== undefined) {
      wait.cancel();
      throw new Error(`The container exited with ${exitCode} before it was ready. Its log:\n${await logsOf(name)}`);
    }
    try {
      const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
      last = `${response.status} ${await response.text()}`;
      if (response.status === 200) {
        return { name, volume, id, url, exited: wait.exited, cancelWait: wait.cancel, readyMs: performance.now() - started };
      }
    } catch (error) {
      last = String(error);
    }
    // The next poll or the container exiting, whichever comes first.
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 100)), wait.exited.catch(() => {})]);
  }
  wait.cancel();
  throw new Error(`The container was not ready after ${READY_DEADLINE_MS / 1000} s (last /ready: ${last}). Its log:\n${await logsOf(name)}`);
}

/** Removes the container (with its anonymous volumes) and the named volume, and checks both are gone. */
async function removeContainer(name: string, volume: string) {
  await docker(["rm", "--force", "--volumes", name]).catch(() => {});
  await docker(["volume", "rm", "--force", volume]).catch(() => {});
  const left = await docker(["ps", "--all", "--quiet", "--filter", `name=^${name}$`]);
  const volumes = await docker(["volume", "ls", "--quiet", "--filter", `name=^${volume}$`]);
  if (left.stdout || volumes.stdout) throw new Error(`could not remove container ${name} or volume ${volume}`);
}

function cookieFrom(response: Response): string {
  const setCookie = response.headers.getSetCookie().find((line) => /^[^=]+=[^;]+/.test(line));
  expect(setCookie, "the sign-in answer sets a session cookie").toBeDefined();
  return setCookie!.split(";")[0]!;
}

/** POST a form as a browser on the app's own page would (same Origin, urlencoded). */
function postForm(url: string, path: string, form: Record<string, string>) {
  return fetch(url + path, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: url, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
}

async function signIn(url: string): Promise<string> {
  const response = await postForm(url, "/login", { username: OWNER.username, password: OWNER.password, redirectTo: "/boards" });
  expect(response.status, await response.clone().text()).toBe(302);
  expect(response.headers.get("location")).toBe("/boards");
  return cookieFrom(response);
}

/** The boards page, signed in, and every stylesheet and script it links to (the client build is in the image). */
async function expectBoardsPage(url: string, cookie: string) {
  const response = await fetch(`${url}/boards`, { headers: { Cookie: cookie }, redirect: "manual" });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/html/);
  const html = await response.text();
  expect(html).toContain("<title>Boards · Mission Control</title>");
  expect(html).toContain(OWNER.orgName);
  const assets = [...html.matchAll(/<(?:link|script)\b[^>]*\b(?:href|src)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
  expect(assets.some((asset) => asset.endsWith(".css")), "the page links its stylesheet").toBe(true);
  expect(assets.some((asset) => asset.endsWith(".js")), "the page links its scripts").toBe(true);
  const stylesheets = new Set(assets.filter((asset) => asset.endsWith(".css")));
  const namedByScripts = new Set<string>();
  for (const asset of new Set(assets)) {
    const answer = await fetch(url + asset);
    expect(answer.status, asset).toBe(200);
    const body = await answer.text();
    if (asset.endsWith(".js")) for (const match of body.matchAll(/\/assets\/[\w.-]+\.css/g)) namedByScripts.add(match[0]);
  }
  // After hydration the browser renders the stylesheet links the client build names; if the server
  // build's CSS differs (Tailwind scanned other files in one of the two builds), the page restyles.
  expect([...namedByScripts].filter((css) => !stylesheets.has(css)), "stylesheets the client names but the server page does not").toEqual([]);
}

/** Reads /proc/1/status inside the container: PID 1 is the server itself (exec-form CMD, no shell). */
async function serverProcess(name: string) {
  const status = (await docker(["exec", name, "cat", "/proc/1/status"])).stdout;
  const cmdline = (await docker(["exec", name, "cat", "/proc/1/cmdline"])).stdout.split("\0").filter(Boolean);
  const uids = /^Uid:\s+(.+)$/m.exec(status)?.[1]?.trim().split(/\s+/).map(Number);
  return { cmdline, uids };
}

async function memoryMiB(name: string) {
  return parseMemUsageMiB((await docker(["stats", "--no-stream", "--format", "{{.MemUsage}}", name])).stdout);
}

/** `docker stop` (SIGTERM, SIGKILL after 10 s): how long it took and the exit code the container reported. */
async function stopContainer(container: Container) {
  const stop = await docker(["stop", "--time", String(STOP_TARGET_MS / 1000), container.name], { timeoutMs: 30_000 });
  const exitCode = await container.exited;
  const state = JSON.parse((await docker(["inspect", "--format", "{{json .State}}", container.name])).stdout) as {
    ExitCode: number;
    OOMKilled: boolean;
  };
  return { ms: stop.ms, exitCode, state };
}

beforeAll(async () => {
  if (!IMAGE) return;
  // A daemon that does not answer or an image that was not built is a failure here, not a skip.
  await docker(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 15_000 });
  await docker(["image", "inspect", "--format", "{{.Id}}", IMAGE]).catch((error: Error) => {
    throw new Error(`MC_DOCKER_IMAGE=${IMAGE} is set but the image is missing: build it with \`docker build --network host -t ${IMAGE} .\`\n${error.message}`);
  });
  const size = Number((await docker(["image", "inspect", "--format", "{{.Size}}", IMAGE])).stdout);
  figures.image = { image: IMAGE, sizeMB: Math.round(size / 1e6) };
});

afterAll(() => {
  if (IMAGE && Object.keys(figures).length > 0) console.log(`docker figures: ${JSON.stringify(figures)}`);
});

suite("the image on its embedded PostgreSQL (no DATABASE_URL)", () => {
  const { name, volume } = namesFor("embedded");
  let container: Container | undefined;

  beforeAll(async () => {
    container = await runContainer({ name, volume }, { ADMIN_USERNAME: OWNER.username, ADMIN_PASSWORD: OWNER.password, ADMIN_ORG_NAME: OWNER.orgName });
  });
  afterAll(async () => {
    container?.cancelWait();
    await removeContainer(name, volume);
  });

  it("answers /ready with every check up, soon after start", async () => {
    const response = await fetch(`${container!.url}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready", checks: { database: true, migrations: true, jobs: true, realtime: true } });
    expect(container!.readyMs).toBeLessThan(READY_TARGET_MS);
  });

  it("keeps its PostgreSQL in the /data volume and runs the server as uid 1000", async () => {
    await docker(["exec", name, "test", "-s", "/data/pg/PG_VERSION"]);
    const server = await serverProcess(name);
    expect(server.cmdline).toEqual(["node", "build/server.js"]);
    expect(server.uids).toEqual([1000, 1000, 1000, 1000]);
  });

  it("signs in the owner created from ADMIN_USERNAME and shows the boards page", async () => {
    const cookie = await signIn(container!.url);
    await expectBoardsPage(container!.url, cookie);
  });

  it("answers the REST API with a token from /api/auth/login", async () => {
    const token = await apiSignIn(container!.url, OWNER.username, OWNER.password);
    const response = await fetch(`${container!.url}/api/agents`, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("passes its own HEALTHCHECK (run now rather than after Docker's 30 s interval)", async () => {
    const healthcheck = JSON.parse((await docker(["inspect", "--format", "{{json .Config.Healthcheck.Test}}", name])).stdout) as string[];
    expect(healthcheck[0]).toBe("CMD");
    await docker(["exec", name, ...healthcheck.slice(1)], { timeoutMs: 10_000 });
  });

  it("stays within its memory budget and stops with exit 0 inside 10 s", async () => {
    const rssMiB = await memoryMiB(name);
    expect(rssMiB).toBeLessThan(MEMORY_TARGET_MIB);
    const stop = await stopContainer(container!);
    expect(stop.exitCode).toBe(0);
    expect(stop.state).toMatchObject({ ExitCode: 0, OOMKilled: false });
    expect(stop.ms).toBeLessThan(STOP_TARGET_MS);
    figures.embedded = { readyMs: Math.round(container!.readyMs), memoryMiB: Math.round(rssMiB), stopMs: Math.round(stop.ms) };
  });
});

suite("the image against a database given by DATABASE_URL", () => {
  const { name, volume } = namesFor("external");
  let container: Container | undefined;
  let database: { name: string; url: string; drop(): Promise<void> } | undefined;

  beforeAll(async () => {
    // db.ts reads vitest's inject(), so it is loaded only when these tests run.
    const { createTestDatabase } = await import("../support/db");
    database = await createTestDatabase("mc_docker");
    // No ADMIN_* here: the owner is made through the first-run set-up form.
    container = await runContainer({ name, volume }, { DATABASE_URL: database.url });
  });
  afterAll(async () => {
    container?.cancelWait();
    await removeContainer(name, volume);
    await database?.drop();
  });

  it("answers /ready and sends the first visitor to /setup", async () => {
    const ready = await fetch(`${container!.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready" });
    expect(container!.readyMs).toBeLessThan(READY_TARGET_MS);
    const first = await fetch(`${container!.url}/`);
    expect(first.status).toBe(200);
    expect(new URL(first.url).pathname).toBe("/setup");
    expect(await first.text()).toContain("Set up Mission Control");
  });

  it("creates the owner through the set-up form, in the given database, not an embedded one", async () => {
    const setup = await postForm(container!.url, "/setup", {
      orgName: OWNER.orgName,
      username: OWNER.username,
      password: OWNER.password,
      confirmPassword: OWNER.password,
    });
    expect(setup.status, await setup.clone().text()).toBe(302);
    cookieFrom(setup);

    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ username: string }>("select username from users");
      expect(rows).toEqual([{ username: OWNER.username }]);
    } finally {
      await client.end();
    }
    await expect(docker(["exec", name, "test", "-e", "/data/pg"])).rejects.toThrow();
  });

  it("signs in and shows the boards page, served by node as uid 1000", async () => {
    const cookie = await signIn(container!.url);
    await expectBoardsPage(container!.url, cookie);
    const server = await serverProcess(name);
    expect(server.cmdline).toEqual(["node", "build/server.js"]);
    expect(server.uids).toEqual([1000, 1000, 1000, 1000]);
  });

  it("stops with exit 0 inside 10 s and leaves no connection open on the database", async () => {
    const rssMiB = await memoryMiB(name);
    expect(rssMiB).toBeLessThan(MEMORY_TARGET_MIB);
    const stop = await stopContainer(container!);
    expect(stop.exitCode).toBe(0);
    expect(stop.state).toMatchObject({ ExitCode: 0, OOMKilled: false });
    expect(stop.ms).toBeLessThan(STOP_TARGET_MS);
    figures.external = { readyMs: Math.round(container!.readyMs), memoryMiB: Math.round(rssMiB), stopMs: Math.round(stop.ms) };

    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    try {
      const { rows } = await client.query("select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [database!.name]);
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
