import { Badge } from "~/components/ui/layout";
import { typeLabel } from "./activity-filters";
import { RelativeTime } from "./relative-time";

export interface ActivityItem {
  id: string;
  type: string;
  message: string;
  actorType: string;
  actorName: string;
  at: string;
}

const ACTOR_ICONS: Record<string, { icon: string; className: string; label: string }> = {
  user: { icon: "●", className: "bg-accent/15 text-accent", label: "Person" },
  token: { icon: "⚿", className: "bg-warn/15 text-warn", label: "API token" },
  system: { icon: "⚙", className: "bg-panel-2 text-muted", label: "System" },
  agent: { icon: "☺", className: "bg-ok/15 text-ok", label: "Agent" },
};

export function ActivityFeed({ events, now }: { events: ActivityItem[]; now: number }) {
  return (
    <ol className="divide-y divide-border rounded-lg border border-border bg-panel">
      {events.map((event) => {
        const actor = ACTOR_ICONS[event.actorType] ?? ACTOR_ICONS.system!;
        return (
          <li key={event.id} className="flex gap-3 px-4 py-3">
            <span className={`mt-0.5 grid h-7 w-7 shrink-0 place-items-center rounded-full text-xs ${actor.className}`} title={actor.label} aria-hidden>
              {actor.icon}
            </span>
            <div className="min-w-0 flex-1">
              <p className="text-sm">{event.message}</p>
              <p className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted">
                <span>
                  <span className="sr-only">{actor.label}: </span>
                  {event.actorName}
                </span>
                <span aria-hidden>·</span>
                <Badge color="#8f9abb">{typeLabel(event.type)}</Badge>
              </p>
            </div>
            <RelativeTime at={event.at} now={now} className="shrink-0 text-xs text-muted" />
          </li>
        );
      })}
    </ol>
  );
}
