import { useState } from "react";
import { useHydrated } from "remix-utils/use-hydrated";
import { selectClass } from "~/components/ui/form";

/**
 * A secret shown once: a read-only input that selects itself on focus (so it can be copied by hand
 * without JavaScript) plus a Copy button once the page is hydrated.
 */
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const hydrated = useHydrated();
  const [copied, setCopied] = useState(false);
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          id={id}
          readOnly
          value={value}
          onFocus={(event) => event.currentTarget.select()}
          className={`${selectClass} font-mono text-xs`}
          spellCheck={false}
          autoComplete="off"
        />
        {hydrated ? (
          <button
            type="button"
            className="shrink-0 rounded-md border border-border bg-panel-2 px-3 py-2 text-sm font-medium hover:border-accent"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(value);
                setCopied(true);
              } catch {
                document.getElementById(id)?.focus();
              }
            }}
          >
            {copied ? "Copied" : "Copy"}
          </button>
        ) : null}
      </div>
    </div>
  );
}
