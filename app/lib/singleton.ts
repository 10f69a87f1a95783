/*
 * One instance per process of a service (data source, realtime hub, gateway runtime), kept on
 * globalThis under a registered symbol so the Vite dev server's module reloads and the server
 * entry, which load the module twice, still share it.
 */
export interface ProcessSingleton<T> {
  /** The instance, or undefined when none is set. */
  get(): T | undefined;
  /** The instance; throws `missing` (a sentence saying what was not started) when none is set. */
  require(): T;
  set(value: T | undefined): void;
}

export function processSingleton<T>(name: string, missing = `${name} is not running yet.`): ProcessSingleton<T> {
  const key = Symbol.for(`mission-control.${name}`);
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  return {
    get: () => store[key],
    require() {
      const value = store[key];
      if (value === undefined) throw new Error(missing);
      return value;
    },
    set(value) {
      store[key] = value;
    },
  };
}
