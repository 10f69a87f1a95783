import { isRouteErrorResponse } from "@remix-run/react";

export interface DescribedError {
  status: number;
  title: string;
  message: string;
}

const GENERIC = "Something went wrong on our side. Reload the page; if it keeps happening, check the server log.";

/** What an error boundary shows: the status, a short title and the sentence the server sent. */
export function describeRouteError(error: unknown, { notFoundTitle = "Not found", fallback = GENERIC } = {}): DescribedError {
  if (!isRouteErrorResponse(error)) return { status: 500, title: "Something went wrong", message: fallback };
  const message = typeof error.data === "string" && error.data ? error.data : error.statusText || fallback;
  const title = error.status === 404 ? notFoundTitle : error.status === 403 ? "Not allowed" : error.status === 410 ? "No longer available" : "Something went wrong";
  return { status: error.status, title, message };
}
