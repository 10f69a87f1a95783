import { z } from "zod";
import type { Session, User } from "~/db/entities";
import { affectedCount, col, returnedRows, rowDecoder, type Queryable } from "~/db/rows";

/*
 * Every statement on `sessions` (the sign-in sessions of people; agent sessions are another table).
 * The id is the SHA-256 of the browser's token: nothing here ever sees the token itself.
 */

const sessionColumns = `s.id, s.user_id as "userId", s.active_org_id as "activeOrgId", s.expires_at as "expiresAt", s.created_at as "createdAt"`;
const userColumns = `u.id as "u_id", u.username as "u_username", u.email as "u_email", u.display_name as "u_displayName",
  u.password_hash as "u_passwordHash", u.created_at as "u_createdAt", u.updated_at as "u_updatedAt"`;

const sessionShape = {
  id: col.text,
  userId: col.uuid,
  activeOrgId: col.uuid.nullable(),
  expiresAt: col.timestamp,
  createdAt: col.timestamp,
};

const sessionRow = rowDecoder("sessions: insert", z.object(sessionShape) satisfies z.ZodType<Session>);

const sessionWithUserRow = rowDecoder(
  "sessions: find with user",
  z
    .object({
      ...sessionShape,
      u_id: col.uuid,
      u_username: col.text,
      u_email: col.text.nullable(),
      u_displayName: col.text,
      u_passwordHash: col.text,
      u_createdAt: col.timestamp,
      u_updatedAt: col.timestamp,
    })
    .transform((row): { session: Session; user: User } => ({
      session: { id: row.id, userId: row.userId, activeOrgId: row.activeOrgId, expiresAt: row.expiresAt, createdAt: row.createdAt },
      user: {
        id: row.u_id,
        username: row.u_username,
        email: row.u_email,
        displayName: row.u_displayName,
        passwordHash: row.u_passwordHash,
        createdAt: row.u_createdAt,
        updatedAt: row.u_updatedAt,
      },
    })),
);

const idRow = rowDecoder("sessions: delete returning id", z.object({ id: col.text }));

export async function insertSession(q: Queryable, session: Omit<Session, "createdAt">): Promise<Session> {
  return sessionRow.one(
    await q.query(
      `insert into sessions as s (id, user_id, active_org_id, expires_at) values ($1, $2, $3, $4) returning ${sessionColumns}`,
      [session.id, session.userId, session.activeOrgId, session.expiresAt],
    ),
  );
}

/** The session and its user in one round trip (it runs on every signed-in request). */
export async function findSessionWithUser(q: Queryable, id: string): Promise<{ session: Session; user: User } | null> {
  return sessionWithUserRow.first(
    await q.query(`select ${sessionColumns}, ${userColumns} from sessions s join users u on u.id = s.user_id where s.id = $1`, [id]),
  );
}

export async function deleteSession(q: Queryable, id: string): Promise<number> {
  return affectedCount(await q.query("delete from sessions where id = $1", [id]));
}

export async function setSessionExpiry(q: Queryable, id: string, expiresAt: Date): Promise<number> {
  return affectedCount(await q.query("update sessions set expires_at = $2 where id = $1", [id, expiresAt]));
}

export async function setSessionActiveOrg(q: Queryable, id: string, orgId: string): Promise<number> {
  return affectedCount(await q.query("update sessions set active_org_id = $2 where id = $1", [id, orgId]));
}

/** Deletes the user's sessions but `exceptId`'s; answers the ids it deleted. */
export async function deleteUserSessions(q: Queryable, userId: string, exceptId: string | null): Promise<string[]> {
  const rows = returnedRows(
    await q.query("delete from sessions where user_id = $1 and id <> coalesce($2, '') returning id", [userId, exceptId]),
  );
  return idRow.all(rows).map((row) => row.id);
}
