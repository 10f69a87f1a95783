import type { EntityManager } from "typeorm";
import { db } from "~/db/data-source.server";
import { UserEntity, type User } from "~/db/entities";
import { hashPassword, verifyPassword, dummyPasswordHash } from "~/lib/password.server";
import { DomainError } from "~/lib/http.server";

export async function createUser(
  manager: EntityManager,
  input: { username: string; email?: string | null; displayName?: string; password: string },
): Promise<User> {
  const repo = manager.getRepository(UserEntity);
  const taken = await repo
    .createQueryBuilder("u")
    .where("lower(u.username) = lower(:username)", { username: input.username })
    .getExists();
  if (taken) throw new DomainError(409, "username_taken", "That username is already taken.", "username");
  if (input.email) {
    const emailTaken = await repo
      .createQueryBuilder("u")
      .where("lower(u.email) = lower(:email)", { email: input.email })
      .getExists();
    if (emailTaken) throw new DomainError(409, "email_taken", "An account with that email already exists.", "email");
  }
  const user = repo.create({
    username: input.username,
    email: input.email || null,
    displayName: input.displayName?.trim() || input.username,
    passwordHash: await hashPassword(input.password),
  });
  return repo.save(user);
}

export function getUser(id: string) {
  return db().getRepository(UserEntity).findOneBy({ id });
}

/** Username or email, case-insensitive. Spends an argon2 check even when no user matches. */
export async function verifyLogin(login: string, password: string): Promise<User | null> {
  const user = await db()
    .getRepository(UserEntity)
    .createQueryBuilder("u")
    .where("lower(u.username) = lower(:login) or lower(u.email) = lower(:login)", { login })
    .getOne();
  if (!user) {
    await verifyPassword(await dummyPasswordHash(), password);
    return null;
  }
  return (await verifyPassword(user.passwordHash, password)) ? user : null;
}

export async function changePassword({ userId, current, next }: { userId: string; current: string; next: string }) {
  const repo = db().getRepository(UserEntity);
  const user = await repo.findOneBy({ id: userId });
  if (!user) throw new DomainError(404, "not_found", "Account not found.");
  if (!(await verifyPassword(user.passwordHash, current))) {
    throw new DomainError(400, "wrong_password", "The current password is not correct.", "currentPassword");
  }
  await repo.update({ id: userId }, { passwordHash: await hashPassword(next) });
}

export async function countUsers(): Promise<number> {
  return db().getRepository(UserEntity).count();
}
