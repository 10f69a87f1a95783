import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { installNavigationRetry } from "./lib/navigation-retry";

// Before hydration, so the first click already waits out an outage (ADR 024).
installNavigationRetry();

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <RemixBrowser />
    </StrictMode>,
  );
});
