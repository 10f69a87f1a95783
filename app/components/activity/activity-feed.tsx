import { Link } from "@remix-run/react";
import { Badge } from "~/components/ui/layout";
import { FEED_LINK_LABELS, type FeedEntry } from "~/lib/activity-feed";
import { typeLabel } from "./activity-filters";
import { RelativeTime } from "./relative-time";

const ACTOR_ICONS: Record<string, { icon: string; className: string; label: string }> = {
  user: { icon: "●", className: "bg-accent/15 text-accent", label: "Person" },
  token: { icon: "⚿", className: "bg-warn/15 text-warn", label: "API token" },
  system: { icon: "⚙", className: "bg-panel-2 text-muted", label: "System" },
  agent: { icon: "☺", className: "bg-ok/15 text-ok", label: "Agent" },
};

/** The entry's sentence, a link to what it describes while that still exists. */
export function EntryMessage({ entry, className = "" }: { entry: FeedEntry; className?: string }) {
  return entry.href ? (
    <Link to={entry.href} prefetch="intent" className={`underline decoration-muted/40 underline-offset-2 hover:text-accent hover:decoration-accent ${className}`} title={entry.message}>
      {entry.message}
    </Link>
  ) : (
    <span className={className} title={entry.message}>
      {entry.message}
    </span>
  );
}

/** The full feed (/activity): who, what (linked), the other subjects it names, the kind of event and when. */
export function ActivityFeed({ events, now }: { events: FeedEntry[]; now: number }) {
  return (
    <ol className="divide-y divide-border rounded-lg border border-border bg-panel" data-testid="activity-feed">
      {events.map((event) => {
        const actor = ACTOR_ICONS[event.actorType] ?? ACTOR_ICONS.system!;
        return (
          <li key={event.id} className="flex gap-3 px-3 py-3 sm:px-4" data-testid="activity-entry">
            <span className={`mt-0.5 grid h-7 w-7 shrink-0 place-items-center rounded-full text-xs ${actor.className}`} title={actor.label} aria-hidden>
              {actor.icon}
            </span>
            <div className="min-w-0 flex-1">
              <p className="break-words text-sm">
                <EntryMessage entry={event} />
              </p>
              <p className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted">
                <span className="max-w-[12rem] truncate" title={event.actorName}>
                  <span className="sr-only">{actor.label}: </span>
                  {event.actorName}
                </span>
                <Badge color="#8f9abb">{typeLabel(event.type)}</Badge>
                {event.links.map((link) => (
                  <Link
                    key={`${link.kind}:${link.href}`}
                    to={link.href}
                    title={`${FEED_LINK_LABELS[link.kind]}: ${link.label}`}
                    className="inline-flex min-w-0 max-w-[14rem] items-baseline gap-1 rounded border border-border px-1.5 py-0.5 hover:border-accent hover:text-fg"
                  >
                    <span className="shrink-0">{FEED_LINK_LABELS[link.kind]}</span>
                    <span className="truncate text-fg">{link.label}</span>
                  </Link>
                ))}
              </p>
            </div>
            <RelativeTime at={event.at} now={now} className="shrink-0 whitespace-nowrap text-xs text-muted" />
          </li>
        );
      })}
    </ol>
  );
}

/** A short list (the home's recent activity): one line each, the sentence cut to fit with its whole text in the tooltip. */
export function ActivityLines({ events, now }: { events: FeedEntry[]; now: number }) {
  return (
    <ul className="space-y-2 text-sm" data-testid="recent-activity">
      {events.map((event) => (
        <li key={event.id} className="flex min-w-0 items-baseline gap-3" data-testid="activity-entry">
          <EntryMessage entry={event} className="min-w-0 flex-1 truncate" />
          <RelativeTime at={event.at} now={now} className="shrink-0 whitespace-nowrap text-xs text-muted" />
        </li>
      ))}
    </ul>
  );
}
