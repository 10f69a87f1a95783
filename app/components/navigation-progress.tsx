import { useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";

/** How long a navigation may take before the bar shows (quick ones never flash it). */
const SHOW_AFTER_MS = 250;

/**
 * A thin bar along the top while a page is on its way: a session page asks its gateway for the
 * history (up to 5 s when the gateway is slow), and a click should never look ignored.
 */
export function NavigationProgress() {
  const navigation = useNavigation();
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (navigation.state === "idle") {
      setShown(false);
      return;
    }
    const timer = setTimeout(() => setShown(true), SHOW_AFTER_MS);
    return () => clearTimeout(timer);
  }, [navigation.state]);
  if (!shown) return null;
  return (
    <div role="progressbar" aria-label="Loading the page" data-testid="navigation-progress" className="fixed inset-x-0 top-0 z-50 h-0.5 overflow-hidden bg-accent/20">
      <div className="mc-progress h-full w-1/3 bg-accent" />
    </div>
  );
}
