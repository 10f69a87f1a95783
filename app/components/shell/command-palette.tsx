import { Link, useFetcher, useLocation, useNavigate } from "@remix-run/react";
import { Loader2, Search } from "lucide-react";
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type MouseEvent } from "react";
import { ALL_PAGES } from "~/lib/pages";
import { SEARCH_GROUP_LABELS, SEARCH_QUERY_MAX, searchHitHref, type SearchHit, type SearchPageData } from "~/lib/search";
import { SearchHitLine } from "../search/search-hits";

/** How long typing may pause before the palette asks the server. */
const DEBOUNCE_MS = 150;

const PAGE_HITS: SearchHit[] = ALL_PAGES.map((page) => ({ kind: "page", id: page.to, title: page.label, detail: page.summary }));

/** ⌘K / Ctrl-K toggles the palette from anywhere in the app. */
export function usePaletteShortcut(setOpen: (update: (open: boolean) => boolean) => void) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.metaKey || event.ctrlKey) && !event.altKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setOpen((open) => !open);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [setOpen]);
}

/** The header's search: a link to /search, which with JavaScript opens the palette instead. */
export function SearchButton({ onOpen }: { onOpen: () => void }) {
  // shown once hydrated: without JavaScript the shortcut does nothing
  const [shortcut, setShortcut] = useState<string | null>(null);
  useEffect(() => {
    setShortcut(/mac|iphone|ipad/i.test(navigator.platform) ? "⌘K" : "Ctrl K");
  }, []);
  const onClick = (event: MouseEvent) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    onOpen();
  };
  return (
    <Link
      to="/search"
      onClick={onClick}
      aria-keyshortcuts="Control+K Meta+K"
      data-search-button
      className="flex items-center gap-2 rounded-md border border-border bg-panel-2 px-2 py-1.5 text-sm text-muted hover:text-fg sm:min-w-[12rem]"
    >
      <Search aria-hidden className="h-4 w-4 shrink-0" />
      <span className="sr-only sm:not-sr-only">Search</span>
      {shortcut ? <kbd className="ml-auto hidden rounded border border-border px-1 font-sans text-[10px] sm:inline">{shortcut}</kbd> : null}
    </Link>
  );
}

/**
 * The command palette: a modal <dialog> (the page behind is inert, Escape closes it) holding a
 * combobox. Arrow keys move through the finds, Enter opens one. While a new search runs the last
 * finds stay on screen.
 */
export function CommandPalette({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const fetcher = useFetcher<SearchPageData>({ key: "command-palette" });
  const navigate = useNavigate();
  const location = useLocation();
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      element.showModal();
      input.current?.select();
    } else if (!open && element.open) element.close();
  }, [open]);

  // a navigation (from here or anywhere) closes the palette
  useEffect(() => onClose(), [location.key]); // eslint-disable-line react-hooks/exhaustive-deps

  const { load } = fetcher;
  const text = query.trim();
  useEffect(() => {
    if (!text) return;
    const timer = setTimeout(() => load(`/search?q=${encodeURIComponent(text)}`), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, load]);

  const hits = useMemo(() => (text ? (fetcher.data?.hits ?? []) : PAGE_HITS), [text, fetcher.data]);
  useEffect(() => setActive(0), [hits]);
  const searching = Boolean(text) && (fetcher.state !== "idle" || fetcher.data?.query !== text);

  const go = (hit: SearchHit | undefined) => {
    if (!hit) return;
    onClose();
    navigate(searchHitHref(hit));
  };

  const onKeyDown = (event: ReactKeyboardEvent) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (hits.length === 0) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((index) => (index + step + hits.length) % hits.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      // the finds on screen are the last query's while a newer one runs: Enter then opens the search page for what is typed
      if (searching) {
        onClose();
        navigate(`/search?q=${encodeURIComponent(text)}`);
      } else go(hits[active]);
    }
  };

  const optionId = (index: number) => `${listId}-option-${index}`;
  let previousKind: string | null = null;

  return (
    <dialog
      ref={dialog}
      aria-label="Search Mission Control"
      onClose={onClose}
      onClick={(event) => event.target === dialog.current && onClose()}
      className="mx-auto mt-[10vh] w-[min(40rem,calc(100vw-1.5rem))] overflow-hidden rounded-lg border border-border bg-panel p-0 text-fg shadow-2xl backdrop:bg-black/60"
      data-command-palette
    >
      <div className="flex items-center gap-2 border-b border-border px-3">
        {searching ? <Loader2 aria-hidden className="h-4 w-4 shrink-0 animate-spin text-muted" /> : <Search aria-hidden className="h-4 w-4 shrink-0 text-muted" />}
        <input
          ref={input}
          type="text"
          role="combobox"
          aria-expanded={hits.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={hits.length > 0 ? optionId(active) : undefined}
          aria-label="Search boards, tasks, agents, sessions and pages"
          placeholder="Jump to a board, task, agent, session or page…"
          maxLength={SEARCH_QUERY_MAX}
          autoComplete="off"
          spellCheck={false}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={onKeyDown}
          className="h-12 w-full bg-transparent text-sm text-fg placeholder:text-muted/70 focus:outline-none"
        />
        <kbd className="hidden rounded border border-border px-1 text-[10px] text-muted sm:inline">Esc</kbd>
      </div>
      <ul id={listId} role="listbox" aria-label="Finds" className="max-h-[min(26rem,60vh)] overflow-y-auto py-1">
        {hits.map((hit, index) => {
          const heading = hit.kind !== previousKind ? SEARCH_GROUP_LABELS[hit.kind] : null;
          previousKind = hit.kind;
          return (
            <li key={`${hit.kind}:${hit.id}`} role="presentation">
              {heading ? (
                <div role="presentation" className="px-3 pb-1 pt-2 text-[11px] font-semibold uppercase tracking-wide text-muted">
                  {heading}
                </div>
              ) : null}
              <div
                id={optionId(index)}
                role="option"
                aria-selected={index === active}
                data-palette-option={hit.kind}
                onMouseMove={() => setActive(index)}
                onClick={() => go(hit)}
                className={`mx-1 flex cursor-pointer items-center gap-3 rounded-md px-2 py-1.5 ${index === active ? "bg-accent/15" : ""}`}
              >
                <SearchHitLine hit={hit} />
              </div>
            </li>
          );
        })}
      </ul>
      {text && !searching && hits.length === 0 ? <p className="px-3 pb-4 pt-2 text-sm text-muted">Nothing matches “{text}”.</p> : null}
      <p className="border-t border-border px-3 py-2 text-[11px] text-muted">
        <kbd>↑</kbd> <kbd>↓</kbd> to move · <kbd>Enter</kbd> to open ·{" "}
        <Link to={text ? `/search?q=${encodeURIComponent(text)}` : "/search"} className="text-accent" onClick={onClose}>
          all results
        </Link>
      </p>
    </dialog>
  );
}
