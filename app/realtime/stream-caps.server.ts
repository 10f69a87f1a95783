import { apiError } from "~/lib/http.server";

/*
 * At most MAX_STREAMS_PER_CREDENTIAL open live streams per user (all their sessions together) or
 * per API token, in this process: one page holds one stream, so twenty is many tabs, and a script
 * that opens streams in a loop gets a 429 instead of holding sockets and hub subscribers without
 * bound. The count is per replica (each holds its own sockets).
 */
export const MAX_STREAMS_PER_CREDENTIAL = 20;

const open = new Map<string, number>();

/** What a stream's auth says about whose it is (StreamAuth's private topics). */
type StreamOwner = { privateTopics: string[] };

/** Whose streams these are: the user behind a session, else the token. */
function ownerOf(auth: StreamOwner): string | null {
  return auth.privateTopics.find((one) => one.startsWith("user:")) ?? auth.privateTopics[0] ?? null;
}

/** Takes a slot or throws a 429; the returned function gives it back (once). */
export function claimStreamSlot(auth: StreamOwner, max = MAX_STREAMS_PER_CREDENTIAL): () => void {
  const owner = ownerOf(auth);
  if (!owner) return () => {};
  const count = open.get(owner) ?? 0;
  if (count >= max) {
    throw apiError(
      429,
      "too_many_streams",
      `You already have ${max} live streams open. Close some tabs (or the streams your script left open) and try again.`,
      { max },
    );
  }
  open.set(owner, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (open.get(owner) ?? 1) - 1;
    if (left <= 0) open.delete(owner);
    else open.set(owner, left);
  };
}

export function openStreamCount(auth: StreamOwner): number {
  const owner = ownerOf(auth);
  return owner ? (open.get(owner) ?? 0) : 0;
}
