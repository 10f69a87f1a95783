import type { ReactNode } from "react";

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-start justify-between gap-3">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-sm text-muted">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}

export function Card({ title, children, className = "", actions }: { title?: ReactNode; children: ReactNode; className?: string; actions?: ReactNode }) {
  return (
    <section className={`min-w-0 rounded-lg border border-border bg-panel p-4 ${className}`}>
      {title || actions ? (
        <div className="mb-3 flex items-center justify-between gap-2">
          {title ? <h2 className="text-sm font-semibold uppercase tracking-wide text-muted">{title}</h2> : <span />}
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}

// EmptyState lives in its own module; pages that import it from here keep working.
export { EmptyState } from "./empty-state";

export function Badge({ children, color, title }: { children: ReactNode; color?: string; title?: string }) {
  return (
    <span
      className="mc-badge"
      title={title}
      style={color ? { borderColor: color + "80", background: color + "22", color } : undefined}
    >
      {children}
    </span>
  );
}

export function Flash({ kind = "ok", children }: { kind?: "ok" | "error"; children: ReactNode }) {
  return (
    <div
      role="status"
      className={`mb-4 rounded-md border px-3 py-2 text-sm ${kind === "ok" ? "border-ok/40 bg-ok/10 text-ok" : "border-danger/40 bg-danger/10 text-danger"}`}
    >
      {children}
    </div>
  );
}
