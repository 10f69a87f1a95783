import { createFirstOwner, createOrganizationForUser } from "~/models/organization.server";
import { createUser } from "~/models/user.server";
import { transaction } from "~/db/data-source.server";
import { randomBytes } from "node:crypto";
import type { Actor } from "~/models/activity.server";
import type { Organization, User } from "~/db/entities";

export const PASSWORD = "correct horse battery";

/** A user who owns a fresh organization (with its default board). */
export async function ownerWithOrg(label = "owner"): Promise<{ user: User; org: Organization; actor: Actor }> {
  const suffix = randomBytes(3).toString("hex");
  const first = await createFirstOwner({ username: `${label}-${suffix}`, password: PASSWORD, orgName: `Org ${label} ${suffix}` });
  if (first) return { ...first, actor: { type: "user", id: first.user.id, name: first.user.displayName } };
  const user = await transaction((m) => createUser(m, { username: `${label}-${suffix}`, password: PASSWORD }));
  const org = await createOrganizationForUser({ name: `Org ${label} ${suffix}`, user });
  return { user, org, actor: { type: "user", id: user.id, name: user.displayName } };
}
