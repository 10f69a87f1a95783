import { describe, expect, it } from "vitest";
import { createSession, invalidateUserSessions, validateSessionToken } from "~/auth/session.server";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg, PASSWORD } from "../../test/support/fixtures";
import { changePassword, updateProfile, verifyLogin } from "./user.server";

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

describe("editing the profile", () => {
  it("saves a display name without a password, and an email only with the current one", async () => {
    const { user } = await ownerWithOrg("profile");
    expect(await updateProfile({ userId: user.id, displayName: "  Ada L.  ", email: user.email })).toEqual({ emailChanged: false });
    expect((await verifyLogin(user.username, PASSWORD))?.displayName).toBe("Ada L.");

    await expect(updateProfile({ userId: user.id, displayName: "Ada", email: "ada@example.test" })).rejects.toMatchObject({ status: 400, code: "password_required", field: "currentPassword" });
    await expect(updateProfile({ userId: user.id, displayName: "Ada", email: "ada@example.test", currentPassword: "wrong" })).rejects.toMatchObject({ status: 400, code: "wrong_password" });
    expect((await verifyLogin("ada@example.test", PASSWORD))).toBeNull();

    expect(await updateProfile({ userId: user.id, displayName: "Ada", email: "Ada@Example.test", currentPassword: PASSWORD })).toEqual({ emailChanged: true });
    expect((await verifyLogin("ada@example.test", PASSWORD))?.id).toBe(user.id);
    // the same address in another case is no change, and needs no password
    expect(await updateProfile({ userId: user.id, displayName: "Ada", email: "ada@example.TEST" })).toEqual({ emailChanged: false });
  });

  it("refuses an email another account uses, ignoring case, with a sentence on the email field", async () => {
    const { user } = await ownerWithOrg("first");
    const other = await ownerWithOrg("second");
    await updateProfile({ userId: other.user.id, displayName: "B", email: "shared@example.test", currentPassword: PASSWORD });
    await expect(updateProfile({ userId: user.id, displayName: "A", email: "SHARED@example.test", currentPassword: PASSWORD })).rejects.toMatchObject({
      status: 409,
      code: "email_taken",
      field: "email",
      message: expect.stringMatching(/Another account already uses that email/),
    });
  });
});
