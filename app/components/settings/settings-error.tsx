import { useRouteError } from "@remix-run/react";
import { describeRouteError } from "~/lib/route-error";

/** Keeps the settings tabs on screen when one tab fails (usually a 403 for a lower role). */
export function SettingsErrorBoundary() {
  const { status, title, message } = describeRouteError(useRouteError());
  return (
    <div role="alert" className="rounded-lg border border-danger/40 bg-danger/10 p-4 text-sm">
      <p className="font-medium text-danger">{status >= 500 ? "This page failed to load" : title}</p>
      <p className="mt-1 text-muted">{message}</p>
    </div>
  );
}
