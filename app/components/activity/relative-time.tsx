const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "3 minutes ago", measured against `now` so the server render and the browser agree. */
export function formatRelative(at: string | number | Date, now: number): string {
  const seconds = Math.round((new Date(at).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (abs >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(Math.round(seconds / 60), "minute");
}

/** formatRelative for an optional time: `empty` when there is none. */
export function formatAgo(at: number | null | undefined, now: number, empty = "—"): string {
  return at ? formatRelative(at, now) : empty;
}

/**
 * The exact time stays in the tooltip and in `dateTime`. `now` comes from the loader: a clock read
 * during render would differ between server and browser and break hydration.
 */
export function RelativeTime({ at, now, className = "" }: { at: string; now: number; className?: string }) {
  const exact = new Date(at).toISOString().replace("T", " ").slice(0, 16) + " UTC";
  return (
    <time dateTime={at} title={exact} className={className}>
      {formatRelative(at, now)}
    </time>
  );
}
