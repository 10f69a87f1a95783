import { describe, expect, it } from "vitest";
import { duplicateAdvice, gatewayStateLabel, shownGatewayState } from "./gateway-state";
import { stateLine } from "./gateway-detail";

describe("stateLine", () => {
  const now = Date.parse("2026-12-02T12:00:00Z");
  it("says the state in the badge's words, with how long it has held", () => {
    expect(stateLine("pairing-required", now - 5 * 60_000, now)).toBe(`${gatewayStateLabel("pairing-required")} since 5 minutes ago`);
    expect(stateLine("online", now - 2 * 3_600_000, now)).toBe("Online for 2 hours");
  });
  it("drops the badge's ellipsis inside a sentence, and an unknown state is said as it is", () => {
    expect(stateLine("connecting", now - 60_000, now)).toBe("Connecting since 1 minute ago");
    expect(stateLine("sleeping", null, now)).toBe("sleeping");
  });
});

describe("a duplicate gateway row", () => {
  it("is shown as a duplicate whatever its stored state, and says where its data is", () => {
    expect(shownGatewayState({ state: "offline", duplicateOf: "0b9c7a1e-0000-4000-8000-000000000000" })).toBe("duplicate");
    expect(shownGatewayState({ state: "online", duplicateOf: null })).toBe("online");
    expect(gatewayStateLabel("duplicate")).toBe("Duplicate");
    expect(duplicateAdvice({ name: "Home" })).toBe('This is the same gateway as "Home": its agents, sessions and costs are recorded there, and nothing is read through this copy. Delete this copy.');
    expect(duplicateAdvice(null, { canManage: false })).toMatch(/^This gateway is registered twice in this organization: .* An admin can delete this copy\.$/);
  });
});
