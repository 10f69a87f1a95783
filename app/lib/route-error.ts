import { isRouteErrorResponse } from "@remix-run/react";

export interface DescribedError {
  status: number;
  title: string;
  message: string;
}

const GENERIC = "Something went wrong on our side. Reload the page; if it keeps happening, check the server log.";

/** What an error boundary shows: the status, a short title and the sentence the server sent. */
export function describeRouteError(error: unknown, { notFoundTitle = "Not found", fallback = GENERIC } = {}): DescribedError {
  // fetch rejects with a TypeError when no answer came: a form post while the server was down
  // (navigations wait for it instead, ~/lib/navigation-retry)
  if (error instanceof TypeError && /fetch|network|load failed/i.test(error.message)) {
    return { status: 503, title: "Mission Control cannot be reached", message: "The server did not answer, so nothing was saved. Check that it is running and your connection works, then try again." };
  }
  if (!isRouteErrorResponse(error)) return { status: 500, title: "Something went wrong", message: fallback };
  const message = typeof error.data === "string" && error.data ? error.data : error.statusText || fallback;
  const title = error.status === 404 ? notFoundTitle : error.status === 403 ? "Not allowed" : error.status === 410 ? "No longer available" : "Something went wrong";
  return { status: error.status, title, message };
}
