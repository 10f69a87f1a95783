import { Link, useRouteError } from "@remix-run/react";
import { EmptyState } from "~/components/ui/layout";
import { describeRouteError } from "~/lib/route-error";

/** Agent pages fail inside the app shell, with a way back to the list. */
export function AgentErrorBoundary() {
  const { title, message } = describeRouteError(useRouteError(), {
    notFoundTitle: "Agent not found",
    fallback: "Something went wrong while loading this agent. Reload the page; if it keeps happening, check the server log.",
  });
  return (
    <EmptyState
      title={title}
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
