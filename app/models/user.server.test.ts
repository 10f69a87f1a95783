import { describe, expect, it } from "vitest";
import { createSession, invalidateUserSessions, validateSessionToken } from "~/auth/session.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg, PASSWORD } from "../../test/support/fixtures";
import { changePassword, verifyLogin } from "./user.server";

useTestDatabase();

describe("changing a password", () => {
  it("refuses a wrong current password and keeps the old one", async () => {
    const { user } = await ownerWithOrg();
    await expect(changePassword({ userId: user.id, current: "not the password", next: "a brand new secret" })).rejects.toMatchObject({
      status: 400,
      code: "wrong_password",
      field: "currentPassword",
    });
    expect(await verifyLogin(user.username, PASSWORD)).not.toBeNull();
  });

  it("switches to the new password, and signing out other sessions keeps this one", async () => {
    const { user, org } = await ownerWithOrg();
    const here = await createSession({ userId: user.id, activeOrgId: org.id });
    const elsewhere = await createSession({ userId: user.id, activeOrgId: org.id });

    await changePassword({ userId: user.id, current: PASSWORD, next: "a brand new secret" });
    await invalidateUserSessions(user.id, here.session.id);

    expect(await verifyLogin(user.username, PASSWORD)).toBeNull();
    expect((await verifyLogin(user.username, "a brand new secret"))?.id).toBe(user.id);
    expect(await validateSessionToken(here.token)).not.toBeNull();
    expect(await validateSessionToken(elsewhere.token)).toBeNull();
  });
});
