import { Link, useRouteError } from "@remix-run/react";
import { describeRouteError } from "~/lib/route-error";
import { EmptyState } from "./ui/layout";

/** The error boundary for pages inside the app shell: the navigation stays usable. */
export function ErrorBoundary() {
  const { title, message } = describeRouteError(useRouteError());
  return (
    <EmptyState title={title} action={<Link to="/" className="text-accent">Back to the dashboard</Link>}>
      {message}
    </EmptyState>
  );
}
