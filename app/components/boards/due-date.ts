/*
 * A card has ~170 px at 1280 px wide, so its due date is short ("Dec 4", the year only when it is
 * not this year's) and says whether it is overdue or today. Dates are calendar days (YYYY-MM-DD,
 * no zone); they are read and printed in UTC so the server's and the browser's render agree.
 */
export interface DueView {
  /** "Dec 4", "Jan 3, 2027" */
  short: string;
  /** for the title attribute: "Due Thursday, December 4, 2026" */
  long: string;
  tone: "overdue" | "today" | "later";
}

export function dueView(dueDate: string, today: string, done: boolean): DueView {
  const date = new Date(`${dueDate}T00:00:00Z`);
  const sameYear = dueDate.slice(0, 4) === today.slice(0, 4);
  const short = date.toLocaleDateString("en-US", { month: "short", day: "numeric", year: sameYear ? undefined : "numeric", timeZone: "UTC" });
  const long = `Due ${date.toLocaleDateString("en-US", { weekday: "long", month: "long", day: "numeric", year: "numeric", timeZone: "UTC" })}`;
  const tone = done ? "later" : dueDate < today ? "overdue" : dueDate === today ? "today" : "later";
  return { short, long: tone === "overdue" ? `Overdue: ${long.slice(4)}` : long, tone };
}
