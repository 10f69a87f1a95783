/*
 * Guards for JSON of unknown shape (gateway frames, transcript lines, session rows): each answers
 * the value when it has the type asked for, else undefined, and never throws.
 */
export type JsonObject = Record<string, unknown>;

export const isObj = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);
/** A non-empty string. */
export const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
/** A finite number. */
export const num = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
/** The object itself, or an empty one for anything else. */
export const obj = (value: unknown): JsonObject => (isObj(value) ? value : {});
