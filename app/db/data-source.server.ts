import "reflect-metadata";
import { DataSource, type EntityManager } from "typeorm";
import { MIGRATIONS } from "../../migrations/index";
import { processSingleton } from "~/lib/singleton";
import { ALL_ENTITIES } from "./entities";

/*
 * One DataSource per process, kept on globalThis so the Vite dev server's module reloads and the
 * server entry share it. Models reach it through `db()`.
 */
const current = processSingleton<DataSource>("data-source", "The database is not initialised yet (initDatabase was not called).");

export function createDataSource(url: string, options: { poolSize?: number; schema?: string } = {}) {
  return new DataSource({
    type: "postgres",
    url,
    entities: ALL_ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: "migrations",
    synchronize: false,
    logging: false,
    schema: options.schema,
    extra: { max: options.poolSize ?? 10, application_name: "mission-control" },
  });
}

export async function initDatabase(url: string, options: { poolSize?: number; migrate?: boolean } = {}) {
  const existing = current.get();
  if (existing?.isInitialized) return existing;
  const ds = createDataSource(url, options);
  await ds.initialize();
  if (options.migrate !== false) await ds.runMigrations({ transaction: "each" });
  current.set(ds);
  return ds;
}

export function db(): DataSource {
  const ds = current.get();
  if (!ds?.isInitialized) throw new Error("The database is not initialised yet (initDatabase was not called).");
  return ds;
}

export async function closeDatabase() {
  const ds = current.get();
  current.set(undefined);
  if (ds?.isInitialized) await ds.destroy();
}

/** Runs `work` in one transaction; activity events written through the manager commit with the change. */
export function transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return db().transaction(work);
}

export async function pendingMigrations(): Promise<boolean> {
  return db().showMigrations();
}
