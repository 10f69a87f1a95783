/*
 * What a page shows of one activity feed entry (client-safe: loaders build it, components render it).
 * An entry leads to what it describes: `href` is its main subject's page, `links` the others it
 * names (the task's board, the agent of a session). A subject deleted since has no link: its words
 * stay plain text, so no entry leads to a 404.
 */

export type FeedLinkKind = "task" | "board" | "agent" | "session" | "gateway" | "member" | "token" | "tag";

export interface FeedLink {
  kind: FeedLinkKind;
  href: string;
  /** the subject's current name (a task's title, an agent's name…) */
  label: string;
}

export interface FeedEntry {
  /** unique in the list: the row's id, or `reconnect-<id>` for a collapsed burst of reconnects */
  id: string;
  type: string;
  message: string;
  actorType: string;
  actorName: string;
  at: string;
  /** the page of what the entry describes, when it still exists */
  href: string | null;
  /** other subjects the entry names that still exist (not the main one) */
  links: FeedLink[];
}

export const FEED_LINK_LABELS: Record<FeedLinkKind, string> = {
  task: "Task",
  board: "Board",
  agent: "Agent",
  session: "Session",
  gateway: "Gateway",
  member: "Member",
  token: "API token",
  tag: "Tag",
};
