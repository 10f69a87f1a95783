import { useMatches, useRevalidator } from "@remix-run/react";
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

export type LiveStatus = "off" | "connecting" | "live" | "reconnecting";

/** Routes declare what they follow: `export const handle = { liveTopics: (data) => [topic.board(data.board.id)] }` (~/lib/topics). */
export interface LiveHandle {
  liveTopics?: (data: unknown) => string[];
}

const EVENTS = [
  "task.created",
  "task.updated",
  "task.deleted",
  "agent.created",
  "agent.updated",
  "agent.deleted",
  "agent.status_changed",
  "event.new",
  "board.updated",
  "board.deleted",
  "gateway.created",
  "gateway.updated",
  "gateway.deleted",
  "gateway.status",
  "gateway.polled",
  "sessions.changed",
];
const END_EVENTS = ["session.ended", "token.revoked", "membership.ended"];

const LiveContext = createContext<LiveStatus>("off");
export const useLiveStatus = () => useContext(LiveContext);

/**
 * One EventSource per page for the union of the topics its routes follow. An event revalidates the
 * page's loaders (coalesced within a frame), so the page shows the change without a reload and
 * without touching what the user is typing. The browser reconnects by itself and sends
 * Last-Event-ID, so the server replays anything missed while the link was down.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const matches = useMatches();
  const revalidator = useRevalidator();
  const revalidateRef = useRef(revalidator.revalidate);
  revalidateRef.current = revalidator.revalidate;
  const [status, setStatus] = useState<LiveStatus>("off");

  const topics = useMemo(() => {
    const all = new Set<string>();
    for (const match of matches) {
      const handle = match.handle as LiveHandle | undefined;
      for (const topic of handle?.liveTopics?.(match.data) ?? []) all.add(topic);
    }
    return Array.from(all).sort().join(",");
  }, [matches]);

  // bumped to open a new stream after the browser gave one up; failures since the last "ready"
  const [generation, setGeneration] = useState(0);
  const failures = useRef(0);

  useEffect(() => {
    if (!topics || typeof EventSource === "undefined") {
      setStatus("off");
      return;
    }
    setStatus((current) => (current === "reconnecting" ? current : "connecting"));
    const url = `/events?topics=${encodeURIComponent(topics)}`;
    const source = new EventSource(url);
    let scheduled = false;
    const refresh = () => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        revalidateRef.current();
      });
    };
    const onReady = () => {
      setStatus("live");
      // The loaders read the page before this stream subscribed, and a reconnect's replay may not
      // cover a first connect: what changed in between (an agent discovered while the page loaded)
      // would otherwise wait for the next event. One revalidation on every ready closes the gap.
      refresh();
    };
    const onEnd = () => {
      source.close();
      // signed out: the reload lands on the sign-in page (and back here after); role changed: the
      // page comes back with the new rights
      window.location.reload();
    };
    source.addEventListener("ready", onReady);
    for (const name of EVENTS) source.addEventListener(name, refresh);
    for (const name of END_EVENTS) source.addEventListener(name, onEnd);
    let retry: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    // EventSource does not say why it gave up: ask once. Credentials that ended without a closing
    // event (a session expired while the server was down) would otherwise say "Reconnecting…" forever.
    const reopen = async () => {
      const probe = new AbortController();
      const status = await fetch(url, { signal: probe.signal, headers: { Accept: "text/event-stream" } }).then(
        (response) => response.status,
        () => 0,
      );
      probe.abort();
      if (closed) return;
      if (status === 401 || status === 403) onEnd();
      else setGeneration((n) => n + 1);
    };
    source.onerror = () => {
      setStatus("reconnecting");
      // The browser retries a dropped stream itself, but gives up on an answer that is not a stream
      // (a proxy's 502 while the server restarts): then we open a new one, backing off.
      if (source.readyState === EventSource.CLOSED && retry === undefined) {
        retry = setTimeout(() => void reopen(), Math.min(30_000, 1000 * 2 ** Math.min(failures.current++, 5)));
      }
    };
    source.addEventListener("ready", () => (failures.current = 0));
    return () => {
      closed = true;
      clearTimeout(retry);
      source.close();
    };
  }, [topics, generation]);

  return <LiveContext.Provider value={status}>{children}</LiveContext.Provider>;
}

export function LiveIndicator() {
  const status = useLiveStatus();
  if (status === "off") return null;
  const label = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" }[status];
  const color = { connecting: "bg-warn", live: "bg-ok", reconnecting: "bg-warn animate-pulse" }[status];
  return (
    <span className="flex items-center gap-1.5 text-xs text-muted" role="status" aria-live="polite" data-live-status={status}>
      <span className={`h-2 w-2 rounded-full ${color}`} aria-hidden />
      {label}
    </span>
  );
}
