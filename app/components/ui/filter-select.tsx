import { Form, Link, useSubmit } from "@remix-run/react";
import type { FormEvent, ReactNode } from "react";
import { Button, selectClass } from "./form";

/*
 * The filters of list pages (board, activity, sessions): a GET form, so filtering is a navigation
 * that works without JavaScript and the address can be shared. With JavaScript a change applies at
 * once (the empty "All" values left out of the address); without it the "Filter" button does.
 */

export function FilterForm({
  label,
  active,
  clearTo,
  children,
  className = "",
}: {
  /** what the form filters, for screen readers ("Filter tasks") */
  label: string;
  /** whether any filter is set: shows "Clear filters" */
  active: boolean;
  /** where "Clear filters" leads (the page without its filters) */
  clearTo: string;
  children: ReactNode;
  className?: string;
}) {
  const submit = useSubmit();
  function onChange(event: FormEvent<HTMLFormElement>) {
    const data = new FormData(event.currentTarget);
    for (const [key, value] of Array.from(data)) if (value === "") data.delete(key);
    submit(data, { method: "get", replace: true, preventScrollReset: true });
  }
  return (
    <Form method="get" role="search" aria-label={label} onChange={onChange} className={`flex flex-wrap items-end gap-3 ${className}`}>
      {children}
      <noscript>
        <Button type="submit" variant="secondary">
          Filter
        </Button>
      </noscript>
      {active ? (
        <Link to={clearTo} className="py-2 text-sm text-muted hover:text-fg" preventScrollReset>
          Clear filters
        </Link>
      ) : null}
    </Form>
  );
}

export interface FilterOption {
  value: string;
  label: string;
}

/** One labelled select of a FilterForm; "" is its "All …" choice. */
export function FilterSelect({
  label,
  name,
  value,
  options,
  allLabel = "All",
  className = "min-w-0 flex-1 basis-32 sm:w-44 sm:flex-none",
}: {
  label: string;
  name: string;
  value: string;
  options: FilterOption[];
  allLabel?: string;
  className?: string;
}) {
  const id = `filter-${name}`;
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-muted">
        {label}
      </label>
      {/* keyed by its value: after "Clear filters" (or back) it shows what the page shows */}
      <select id={id} name={name} defaultValue={value} key={`${name}-${value}`} className={selectClass}>
        <option value="">{allLabel}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
