import { getHub, type LiveEvent } from "~/realtime/hub.server";
import { topic } from "~/lib/topics";

/** Resolves with the next live event (any organization) that matches; rejects after `timeoutMs`. */
export function nextLiveEvent(predicate: (event: LiveEvent) => boolean, timeoutMs = 10_000): Promise<LiveEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no matching live event within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = getHub().subscribe({
      orgId: "*",
      topics: new Set([topic.gateways, topic.agents, topic.activity, topic.tasks, topic.sessions, topic.office]),
      deliver: (event) => {
        if (!predicate(event)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(event);
      },
    });
  });
}
