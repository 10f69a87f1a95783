/**
 * `search` with `changes` applied, as a link target ("?a=1&b=2", or "?" for none): a value of
 * undefined or "" removes the key, so filters that are "All" stay out of the address.
 */
export function withSearch(search: string | URLSearchParams, changes: Record<string, string | number | undefined | null>): string {
  const next = new URLSearchParams(search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === null || value === "") next.delete(key);
    else next.set(key, String(value));
  }
  for (const [key, value] of Array.from(next)) if (value === "") next.delete(key);
  const query = next.toString();
  return query ? `?${query}` : "?";
}
