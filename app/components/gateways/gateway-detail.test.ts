import { describe, expect, it } from "vitest";
import { gatewayStateLabel } from "./gateway-state";
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
