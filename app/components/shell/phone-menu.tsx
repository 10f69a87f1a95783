import { useLocation } from "@remix-run/react";
import { Menu, X } from "lucide-react";
import { useEffect, useRef } from "react";
import { Sidebar } from "./sidebar";

/**
 * The phone's navigation: a <details> in the header, so it opens and its links work without
 * JavaScript. With JavaScript the same markup closes itself after a navigation, on Escape and
 * on a tap beside the drawer.
 */
export function PhoneMenu() {
  const details = useRef<HTMLDetailsElement>(null);
  const location = useLocation();
  const close = () => {
    if (details.current) details.current.open = false;
  };

  useEffect(close, [location.key]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && details.current?.open) {
        close();
        details.current.querySelector("summary")?.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  return (
    <details ref={details} className="group md:hidden" data-phone-menu>
      <summary className="flex cursor-pointer list-none items-center rounded-md border border-border p-1.5 text-muted hover:text-fg [&::-webkit-details-marker]:hidden">
        <Menu aria-hidden className="h-4 w-4 group-open:hidden" />
        <X aria-hidden className="hidden h-4 w-4 group-open:block" />
        <span className="sr-only">Menu</span>
      </summary>
      <div className="fixed inset-x-0 bottom-0 top-14 z-40">
        <div className="absolute inset-0 bg-black/60" aria-hidden onClick={close} />
        <div className="absolute inset-y-0 left-0 w-64 max-w-[85vw] overflow-y-auto border-r border-border bg-panel">
          <Sidebar />
        </div>
      </div>
    </details>
  );
}
