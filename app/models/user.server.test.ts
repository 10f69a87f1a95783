import { beforeEach, describe, expect, it, vi } from "vitest";
import { createSession, invalidateUserSessions, validateSessionToken } from "~/auth/session.server";
import { dummyPasswordHash, verifyPassword } from "~/lib/password.server";
import * as apiLoginRoute from "~/routes/api.auth.login";
import * as loginRoute from "~/routes/login";
import { useTestDatabase } from "../../test/support/db";
import { ownerWithOrg, PASSWORD } from "../../test/support/fixtures";
import { ORIGIN, settle } from "../../test/support/requests";
import { changePassword, updateProfile, verifyLogin } from "./user.server";

// the real argon2 check, counted: "an unknown user costs one argon2 check" is asserted by count, not by timing
vi.mock("~/lib/password.server", async (importOriginal) => {
  const actual = await importOriginal<typeof import("~/lib/password.server")>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});

useTestDatabase();

describe("signing in costs the same whether or not the account exists", () => {
  const verify = vi.mocked(verifyPassword);
  beforeEach(() => verify.mockClear());

  it("runs exactly one argon2 check for an unknown login and one for a known login with a wrong password", async () => {
    const { user } = await ownerWithOrg("timing");
    expect(await verifyLogin(`nobody-${user.id}`, "some wrong password")).toBeNull();
    expect(verify).toHaveBeenCalledTimes(1);
    // against a real argon2id hash, so the check costs what a real one does
    expect(verify.mock.calls[0]![0]).toBe(await dummyPasswordHash());
    expect(verify.mock.calls[0]![0]).toMatch(/^\$argon2id\$/);

    verify.mockClear();
    expect(await verifyLogin(user.username, "some wrong password")).toBeNull();
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0]![0]).toMatch(/^\$argon2id\$/);
  });

  it("does the same through the sign-in form and POST /api/auth/login, with the same answer for both", async () => {
    const { user } = await ownerWithOrg("timing-routes");
    const answers: string[] = [];
    for (const login of [`nobody-${user.id}`, user.username]) {
      verify.mockClear();
      const api = await apiLoginRoute.action({
        request: new Request(`${ORIGIN}/api/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: login, password: "wrong password 1" }) }),
        params: {},
        context: { clientIp: `10.0.0.${answers.length + 1}` },
      });
      expect(api.status).toBe(401);
      answers.push(await api.text());
      const form = (await settle(() =>
        loginRoute.action({
          request: new Request(`${ORIGIN}/login`, { method: "POST", headers: { Origin: ORIGIN }, body: new URLSearchParams({ username: login, password: "wrong password 1" }) }),
          params: {},
          context: { clientIp: `10.0.1.${answers.length}` },
        }),
      )) as { init?: { status?: number } };
      expect(form.init?.status).toBe(401);
      expect(verify).toHaveBeenCalledTimes(2);
    }
    expect(answers[0]).toBe(answers[1]);
  });
});

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
