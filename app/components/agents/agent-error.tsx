import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { EmptyState } from "~/components/ui/layout";

/** Agent pages fail inside the app shell, with a way back to the list. */
export function AgentErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message =
    isRouteErrorResponse(error) && typeof error.data === "string"
      ? error.data
      : "Something went wrong while loading this agent. Reload the page; if it keeps happening, check the server log.";
  return (
    <EmptyState
      title={status === 404 ? "Agent not found" : status === 403 ? "Not allowed" : "Something went wrong"}
      action={
        <Link to="/agents" className="text-accent">
          Back to all agents
        </Link>
      }
    >
      {message}
    </EmptyState>
  );
}
