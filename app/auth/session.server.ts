import { changedRows, db } from "~/db/data-source.server";
import { SessionEntity, UserEntity, type Session, type User } from "~/db/entities";
import { getEnv } from "~/env.server";
import { publish } from "~/realtime/publish.server";
import { generateSecret, hashSecret } from "~/lib/crypto.server";

/*
 * Sessions after Lucia's guide: the browser holds a random token, the database only its SHA-256.
 * Sessions last 30 days and slide: used within 15 days of expiry, they are pushed out again.
 */
export const SESSION_COOKIE = "mc_session";
const DAY = 24 * 60 * 60 * 1000;
export const SESSION_TTL_MS = 30 * DAY;
const RENEW_WITHIN_MS = 15 * DAY;

export interface SessionWithUser {
  session: Session;
  user: User;
  /** true when this validation pushed the expiry out and the cookie should be re-sent */
  renewed: boolean;
}

export async function createSession({ userId, activeOrgId }: { userId: string; activeOrgId: string | null }) {
  const token = generateSecret();
  const session: Session = {
    id: hashSecret(token),
    userId,
    activeOrgId,
    expiresAt: new Date(Date.now() + SESSION_TTL_MS),
    createdAt: new Date(),
  };
  await db().getRepository(SessionEntity).insert(session);
  return { token, session };
}

export async function validateSessionToken(token: string): Promise<SessionWithUser | null> {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  const id = hashSecret(token);
  const sessions = db().getRepository(SessionEntity);
  const session = await sessions.findOneBy({ id });
  if (!session) return null;
  if (session.expiresAt.getTime() <= Date.now()) {
    await sessions.delete({ id });
    return null;
  }
  const user = await db().getRepository(UserEntity).findOneBy({ id: session.userId });
  if (!user) return null;
  let renewed = false;
  if (session.expiresAt.getTime() - Date.now() < RENEW_WITHIN_MS) {
    session.expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await sessions.update({ id }, { expiresAt: session.expiresAt });
    renewed = true;
  }
  return { session, user, renewed };
}

/** Deletes the session and tells its open event streams to end. */
export async function invalidateSession(sessionId: string) {
  await db().transaction(async (manager) => {
    await manager.getRepository(SessionEntity).delete({ id: sessionId });
    await publish(manager, { orgId: null, type: "session.ended", topics: [`session:${sessionId}`], data: { reason: "signed-out" } });
  });
}

/** Signs the user out everywhere (but here, when given): e.g. after a password change. */
export async function invalidateUserSessions(userId: string, exceptSessionId?: string) {
  await db().transaction(async (manager) => {
    const rows = await changedRows<{ id: string }>(manager, "delete from sessions where user_id = $1 and id <> coalesce($2, '') returning id", [
      userId,
      exceptSessionId ?? null,
    ]);
    for (const row of rows) {
      await publish(manager, { orgId: null, type: "session.ended", topics: [`session:${row.id}`], data: { reason: "signed-out-everywhere" } });
    }
  });
}

export async function setActiveOrg(sessionId: string, orgId: string) {
  await db().getRepository(SessionEntity).update({ id: sessionId }, { activeOrgId: orgId });
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
    if (part.slice(0, index).trim() === name) return decodeURIComponent(part.slice(index + 1).trim());
  }
  return null;
}
