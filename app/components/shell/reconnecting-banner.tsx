import { WifiOff } from "lucide-react";
import { useSyncExternalStore } from "react";
import { reconnectingCount, subscribeReconnecting } from "~/lib/navigation-retry";

/** Whether a click is waiting for the server to come back (~/lib/navigation-retry). */
export function useNavigationWaiting(): boolean {
  return useSyncExternalStore(subscribeReconnecting, () => reconnectingCount() > 0, () => false);
}

/** Over the current page while a click waits for the server: the page stays, the click is not lost. */
export function ReconnectingBanner() {
  const waiting = useNavigationWaiting();
  if (!waiting) return null;
  return (
    <div
      role="status"
      aria-live="polite"
      data-reconnecting
      className="fixed inset-x-0 top-0 z-50 flex justify-center px-3 pt-2"
    >
      <p className="flex max-w-xl items-center gap-2 rounded-md border border-warn/50 bg-panel px-3 py-2 text-sm text-fg shadow-lg">
        <WifiOff aria-hidden className="h-4 w-4 shrink-0 animate-pulse text-warn" />
        <span>
          <strong className="font-medium">Reconnecting…</strong> Mission Control cannot be reached. What you asked for opens as soon as it is back.
        </span>
      </p>
    </div>
  );
}
