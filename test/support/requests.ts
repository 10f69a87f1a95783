import { createSession, SESSION_COOKIE } from "~/auth/session.server";

export const ORIGIN = "http://localhost";

/** A cookie header for a fresh session of this user in this organization. */
export async function sessionCookieFor(userId: string, orgId: string) {
  const { token } = await createSession({ userId, activeOrgId: orgId });
  return `${SESSION_COOKIE}=${token}`;
}

/** A Request as the browser would send it: same-origin, with the session cookie and an optional form. */
export function pageRequest(path: string, cookie: string, form?: Record<string, string>) {
  const headers = new Headers({ Cookie: cookie, Origin: ORIGIN });
  if (!form) return new Request(ORIGIN + path, { headers });
  return new Request(ORIGIN + path, { method: "POST", headers, body: new URLSearchParams(form) });
}

/** Runs a loader/action and returns the Response it threw or returned (or the data). */
export async function settle(work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (thrown) {
    return thrown;
  }
}

export const ROUTE_ARGS = { context: { clientIp: "127.0.0.1" } };
