import { Link } from "@remix-run/react";
import { PageHeader } from "./ui/layout";

/** An honest placeholder for an area that is planned but not built: no fake numbers. */
export function ComingSoon({ title, summary, features, needs }: { title: string; summary: string; features: string[]; needs?: string }) {
  return (
    <>
      <PageHeader title={title} description={summary} />
      <div className="max-w-2xl rounded-lg border border-dashed border-border bg-panel/50 p-6">
        <p className="inline-flex rounded-full bg-warn/15 px-2 py-0.5 text-xs font-semibold uppercase tracking-wide text-warn">Coming soon</p>
        <p className="mt-3 text-sm">This area is not built yet. When it is, it will offer:</p>
        <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-muted">
          {features.map((feature) => (
            <li key={feature}>{feature}</li>
          ))}
        </ul>
        {needs ? <p className="mt-4 text-sm text-muted">{needs}</p> : null}
        <p className="mt-4 text-sm">
          Meanwhile, plan work on the{" "}
          <Link to="/boards" className="text-accent">
            boards
          </Link>{" "}
          and follow the{" "}
          <Link to="/activity" className="text-accent">
            activity feed
          </Link>
          .
        </p>
      </div>
    </>
  );
}
