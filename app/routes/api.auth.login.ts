import { clearLoginFailures, firstReachedLimit, loginLimitsFor, recordFailure } from "~/auth/rate-limit.server";
import { createSession } from "~/auth/session.server";
import { apiAction, clientIp, methodNotAllowed, parseJsonBody } from "~/lib/api.server";
import { apiError, apiJson } from "~/lib/http.server";
import { ApiLoginSchema } from "~/lib/schemas";
import { getActiveMembership } from "~/models/organization.server";
import { verifyLogin } from "~/models/user.server";

/*
 * POST /api/auth/login: username (or email) and password for a session token to send as
 * `Authorization: Bearer`. Same failure counting as the sign-in form (per account, per IP and account, per IP).
 */

export const loader = () => methodNotAllowed(["POST"]);

export const action = apiAction(
  {
    POST: async ({ request, context }) => {
      const body = await parseJsonBody(request, ApiLoginSchema);
      const username = body.username.trim();
      const limits = await loginLimitsFor(clientIp(context), username);
      const state = await firstReachedLimit(limits);
      if (state) {
        const minutes = Math.max(1, Math.ceil(state.retryAfterSeconds / 60));
        const response = apiError(
          429,
          "rate_limited",
          `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
          { retryAfterSeconds: state.retryAfterSeconds },
        );
        response.headers.set("Retry-After", String(state.retryAfterSeconds));
        return response;
      }

      const user = await verifyLogin(username, body.password);
      if (!user) {
        await Promise.all(limits.map(recordFailure));
        return apiError(401, "invalid_credentials", "That username and password do not match an account.");
      }
      await clearLoginFailures(limits);

      // a new session starts in the organization a session without one would act in
      const { active: first } = await getActiveMembership({ userId: user.id, activeOrgId: null });
      if (!first) {
        return apiError(403, "no_organization", "This account does not belong to an organization yet. Sign in on the web to create or join one.");
      }
      const { token, session } = await createSession({ userId: user.id, activeOrgId: first.org.id });
      return apiJson({
        token,
        user: { id: user.id, name: user.displayName, role: first.role },
        expiresAt: session.expiresAt.getTime(),
      });
    },
  },
  { hasLoader: false },
);
