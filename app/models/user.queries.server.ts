import { UserEntity, type User } from "~/db/entities";
import type { Queryable } from "~/db/rows";

/* Every statement on `users`. Usernames and emails are unique ignoring case. */

export function findUser(q: Queryable, id: string): Promise<User | null> {
  return q.getRepository(UserEntity).findOneBy({ id });
}

export function usernameTaken(q: Queryable, username: string): Promise<boolean> {
  return q.getRepository(UserEntity).createQueryBuilder("u").where("lower(u.username) = lower(:username)", { username }).getExists();
}

export function emailTaken(q: Queryable, email: string, exceptUserId?: string): Promise<boolean> {
  const query = q.getRepository(UserEntity).createQueryBuilder("u").where("lower(u.email) = lower(:email)", { email });
  if (exceptUserId) query.andWhere("u.id <> :exceptUserId", { exceptUserId });
  return query.getExists();
}

/** By username or email, ignoring case. */
export function findUserByLogin(q: Queryable, login: string): Promise<User | null> {
  return q
    .getRepository(UserEntity)
    .createQueryBuilder("u")
    .where("lower(u.username) = lower(:login) or lower(u.email) = lower(:login)", { login })
    .getOne();
}

export function insertUser(q: Queryable, user: Pick<User, "username" | "email" | "displayName" | "passwordHash">): Promise<User> {
  const repo = q.getRepository(UserEntity);
  return repo.save(repo.create(user));
}

export async function setPasswordHash(q: Queryable, id: string, passwordHash: string): Promise<void> {
  await q.getRepository(UserEntity).update({ id }, { passwordHash });
}

export async function setProfile(q: Queryable, id: string, profile: Pick<User, "displayName" | "email">): Promise<void> {
  await q.getRepository(UserEntity).update({ id }, profile);
}

export function countUsers(q: Queryable): Promise<number> {
  return q.getRepository(UserEntity).count();
}
