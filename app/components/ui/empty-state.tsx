import { Link } from "@remix-run/react";
import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";
import { buttonClass } from "./form";

/**
 * What a list shows when it has nothing yet: an icon, what is missing, one sentence on what to do
 * next and, where there is one, the action that does it (`EmptyStateLink`, or a form's button).
 * `compact` is for inside a card or a column.
 */
export function EmptyState({
  icon: Icon,
  title,
  children,
  action,
  compact = false,
}: {
  icon?: LucideIcon;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  compact?: boolean;
}) {
  return (
    <div
      data-testid="empty-state"
      className={`flex flex-col items-center justify-center gap-2 rounded-lg border border-dashed border-border text-center ${compact ? "px-4 py-6" : "px-6 py-10"}`}
    >
      {Icon ? (
        <span className="mb-1 flex h-10 w-10 items-center justify-center rounded-full bg-panel-2 text-muted">
          <Icon aria-hidden className="h-5 w-5" />
        </span>
      ) : null}
      <p className="font-medium">{title}</p>
      {children ? <div className="max-w-md text-sm text-muted">{children}</div> : null}
      {action ? <div className="mt-2 flex flex-wrap justify-center gap-2">{action}</div> : null}
    </div>
  );
}

/** The next step of an empty state, drawn as a button. */
export function EmptyStateLink({ to, children, variant = "primary" }: { to: string; children: ReactNode; variant?: "primary" | "secondary" }) {
  return (
    <Link to={to} className={buttonClass(variant)}>
      {children}
    </Link>
  );
}
