import type { Session, User } from "~/db/entities";
import { getEnv } from "~/env.server";
import { generateSecret, hashSecret } from "~/lib/crypto.server";
import { deleteExpiredSession, endSession, endUserSessions, extendSession, findSessionWithUser, storeSession } from "~/models/auth-session.server";

export { setActiveOrg } from "~/models/auth-session.server";

/*
 * Sessions after Lucia's guide: the browser holds a random token, the database only its SHA-256.
 * Sessions last 30 days and slide: used within 15 days of expiry, they are pushed out again.
 */
export const SESSION_COOKIE = "mc_session";
const DAY = 24 * 60 * 60 * 1000;
export const SESSION_TTL_MS = 30 * DAY;
export const RENEW_WITHIN_MS = 15 * DAY;

export interface SessionWithUser {
  session: Session;
  user: User;
  /** true when this validation pushed the expiry out and the cookie should be re-sent */
  renewed: boolean;
}

export async function createSession({ userId, activeOrgId }: { userId: string; activeOrgId: string | null }) {
  const token = generateSecret();
  const session = await storeSession({ id: hashSecret(token), userId, activeOrgId, expiresAt: new Date(Date.now() + SESSION_TTL_MS) });
  return { token, session };
}

export async function validateSessionToken(token: string): Promise<SessionWithUser | null> {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  const found = await findSessionWithUser(hashSecret(token));
  if (!found) return null;
  const { session, user } = found;
  if (session.expiresAt.getTime() <= Date.now()) {
    await deleteExpiredSession(session.id);
    return null;
  }
  let renewed = false;
  if (session.expiresAt.getTime() - Date.now() < RENEW_WITHIN_MS) {
    session.expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await extendSession(session.id, session.expiresAt);
    renewed = true;
  }
  return { session, user, renewed };
}

/** Deletes the session and tells its open event streams to end. */
export function invalidateSession(sessionId: string): Promise<void> {
  return endSession(sessionId);
}

/** Signs the user out everywhere (but here, when given): e.g. after a password change. */
export async function invalidateUserSessions(userId: string, exceptSessionId?: string): Promise<void> {
  await endUserSessions(userId, exceptSessionId);
}

function secureCookies(request: Request): boolean {
  const configured = getEnv().MC_SECURE_COOKIES;
  if (configured) return configured === "true";
  return new URL(request.url).protocol === "https:";
}

export function sessionCookie(request: Request, token: string, expiresAt: Date): string {
  const parts = [
    `${SESSION_COOKIE}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (secureCookies(request)) parts.push("Secure");
  return parts.join("; ");
}

export function clearSessionCookie(request: Request): string {
  const parts = [`${SESSION_COOKIE}=`, "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0"];
  if (secureCookies(request)) parts.push("Secure");
  return parts.join("; ");
}

export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("Cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index === -1) continue;
    if (part.slice(0, index).trim() === name) return decodeCookieValue(part.slice(index + 1).trim());
  }
  return null;
}

/** A value that does not percent-decode is no cookie of ours: null, not a URIError (a 500) on every page. */
function decodeCookieValue(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}
