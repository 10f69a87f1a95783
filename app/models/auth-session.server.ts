import { db, transaction } from "~/db/data-source.server";
import type { Session, User } from "~/db/entities";
import { publish } from "~/realtime/publish.server";
import * as queries from "./auth-session.queries.server";
import { topic } from "~/lib/topics";

/*
 * The stored side of sign-in sessions. Tokens, cookies and the expiry policy live in
 * app/auth/session.server.ts; this module stores sessions by id (the token's hash) and ends them,
 * telling their open event streams in the same transaction.
 */

export function storeSession(session: Omit<Session, "createdAt">): Promise<Session> {
  return queries.insertSession(db().manager, session);
}

export function findSessionWithUser(id: string): Promise<{ session: Session; user: User } | null> {
  return queries.findSessionWithUser(db().manager, id);
}

export async function extendSession(id: string, expiresAt: Date): Promise<void> {
  await queries.setSessionExpiry(db().manager, id, expiresAt);
}

export async function setActiveOrg(sessionId: string, orgId: string): Promise<void> {
  await queries.setSessionActiveOrg(db().manager, sessionId, orgId);
}

/** Deletes a session that expired; nothing listens on it any more (its streams end at expiry). */
export async function deleteExpiredSession(id: string): Promise<void> {
  await queries.deleteSession(db().manager, id);
}

/** Deletes the session and tells its open event streams to end. */
export async function endSession(sessionId: string): Promise<void> {
  await transaction(async (manager) => {
    await queries.deleteSession(manager, sessionId);
    await publish(manager, { orgId: null, type: "session.ended", topics: [topic.session(sessionId)], data: { reason: "signed-out" } });
  });
}

/** Ends every session of the user but `exceptSessionId`'s (e.g. after a password change). */
export async function endUserSessions(userId: string, exceptSessionId?: string): Promise<number> {
  return transaction(async (manager) => {
    const ids = await queries.deleteUserSessions(manager, userId, exceptSessionId ?? null);
    for (const id of ids) {
      await publish(manager, { orgId: null, type: "session.ended", topics: [topic.session(id)], data: { reason: "signed-out-everywhere" } });
    }
    return ids.length;
  });
}
