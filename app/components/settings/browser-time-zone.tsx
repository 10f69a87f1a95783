import { useEffect, useRef } from "react";
import type { FieldMetadata } from "@conform-to/react";
import { FieldError } from "~/components/ui/form";
import { browserTimeZone, DEFAULT_TIME_ZONE } from "~/lib/time-zone";

/**
 * A hidden `timeZone` input that proposes the browser's zone for a new organization: rendered as
 * UTC (what a page without JavaScript sends), filled from Intl once the page runs. The server
 * validates it like any other field; the zone can be changed under Settings › Organization.
 */
export function BrowserTimeZoneInput({ field }: { field: FieldMetadata<string | undefined> }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (input.current) input.current.value = browserTimeZone();
  }, []);
  return (
    <>
      <input ref={input} type="hidden" name={field.name} defaultValue={DEFAULT_TIME_ZONE} data-testid="browser-time-zone" />
      <FieldError id={field.errorId} errors={field.errors} />
    </>
  );
}
