import { Link, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { EmptyState } from "./ui/layout";

/** The error boundary for pages inside the app shell: the navigation stays usable. */
export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message =
    isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : "Something went wrong. Reload the page; if it keeps happening, check the server log.";
  return (
    <EmptyState title={status === 404 ? "Not found" : status === 403 ? "Not allowed" : "Something went wrong"} action={<Link to="/" className="text-accent">Back to the dashboard</Link>}>
      {message}
    </EmptyState>
  );
}
