import { describe, expect, it } from "vitest";
import { agentLabel, gatewayLabels, gatewayNameOf } from "./gateway-label";

describe("gateway labels", () => {
  it("names the gateway beside an agent only when the organization has several", () => {
    const one = gatewayLabels([{ id: "g1", name: "Home" }]);
    expect(one).toBeNull();
    expect(agentLabel({ name: "main", gatewayId: "g1" }, one)).toBe("main");
    const two = gatewayLabels([
      { id: "g1", name: "Home" },
      { id: "g2", name: "Lab" },
    ]);
    expect(agentLabel({ name: "main", gatewayId: "g1" }, two)).toBe("main · Home");
    expect(agentLabel({ name: "main", gatewayId: "g2" }, two)).toBe("main · Lab");
    // a hand-made agent, or one whose gateway was removed, has no gateway to name
    expect(agentLabel({ name: "helper", gatewayId: null }, two)).toBe("helper");
    expect(gatewayNameOf("gone", two)).toBeNull();
  });
});
