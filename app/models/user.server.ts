import type { EntityManager } from "typeorm";
import { db } from "~/db/data-source.server";
import type { User } from "~/db/entities";
import { hashPassword, verifyPassword, dummyPasswordHash } from "~/lib/password.server";
import { DomainError } from "~/lib/http.server";
import * as queries from "./user.queries.server";

export async function createUser(
  manager: EntityManager,
  input: { username: string; email?: string | null; displayName?: string; password: string },
): Promise<User> {
  if (await queries.usernameTaken(manager, input.username)) {
    throw new DomainError(409, "username_taken", "That username is already taken.", "username");
  }
  if (input.email && (await queries.emailTaken(manager, input.email))) {
    throw new DomainError(409, "email_taken", "An account with that email already exists.", "email");
  }
  return queries.insertUser(manager, {
    username: input.username,
    email: input.email || null,
    displayName: input.displayName?.trim() || input.username,
    passwordHash: await hashPassword(input.password),
  });
}

/** The id of the account a login (username or email, any case) names, for rate limits. */
export async function findLoginAccount(login: string): Promise<string | null> {
  return (await queries.findUserByLogin(db().manager, login.trim()))?.id ?? null;
}

/** Username or email, case-insensitive. Spends an argon2 check even when no user matches. */
export async function verifyLogin(login: string, password: string): Promise<User | null> {
  const user = await queries.findUserByLogin(db().manager, login);
  if (!user) {
    await verifyPassword(await dummyPasswordHash(), password);
    return null;
  }
  return (await verifyPassword(user.passwordHash, password)) ? user : null;
}

export async function changePassword({ userId, current, next }: { userId: string; current: string; next: string }) {
  const user = await queries.findUser(db().manager, userId);
  if (!user) throw new DomainError(404, "not_found", "Account not found.");
  if (!(await verifyPassword(user.passwordHash, current))) {
    throw new DomainError(400, "wrong_password", "The current password is not correct.", "currentPassword");
  }
  await queries.setPasswordHash(db().manager, userId, await hashPassword(next));
}

export async function countUsers(): Promise<number> {
  return queries.countUsers(db().manager);
}
