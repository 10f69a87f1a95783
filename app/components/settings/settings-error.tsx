import { isRouteErrorResponse, useRouteError } from "@remix-run/react";

/** Keeps the settings tabs on screen when one tab fails (usually a 403 for a lower role). */
export function SettingsErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error)
    ? typeof error.data === "string"
      ? error.data
      : error.statusText
    : "Something went wrong on our side. Reload the page; if it keeps happening, check the server log.";
  return (
    <div role="alert" className="rounded-lg border border-danger/40 bg-danger/10 p-4 text-sm">
      <p className="font-medium text-danger">{status === 403 ? "Not allowed" : status === 404 ? "Not found" : "This page failed to load"}</p>
      <p className="mt-1 text-muted">{message}</p>
    </div>
  );
}
