/*
 * Monthly budgets (issue 13) as forms show them. Client-safe.
 */

/** A budget as its text field shows it: "" for none, else the dollars ("250", "99.5"). */
export function budgetFormValue(usd: number | null): string {
  return usd === null ? "" : String(usd);
}

/** "$1,250.00"; small amounts keep four decimals so a cent-fraction of spend is not shown as $0.00. */
export function formatUsd(usd: number): string {
  const digits = usd !== 0 && Math.abs(usd) < 1 ? 4 : 2;
  return `$${usd.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
