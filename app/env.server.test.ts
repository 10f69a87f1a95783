import { describe, expect, it } from "vitest";
import { parseEnv } from "./env.server";

describe("MC_TRUSTED_PROXIES", () => {
  it("is a list of addresses, CIDRs and named ranges, none by default", () => {
    expect(parseEnv({}).MC_TRUSTED_PROXIES).toEqual([]);
    expect(parseEnv({ MC_TRUSTED_PROXIES: "loopback, 10.0.0.0/8 ,fd00::/8,192.168.1.7" }).MC_TRUSTED_PROXIES).toEqual([
      "loopback",
      "10.0.0.0/8",
      "fd00::/8",
      "192.168.1.7",
    ]);
  });

  it.each(["everyone", "10.0.0.0/33", "10.0.0/8", "*", "true", "1.2.3.4/8/1"])("stops the start on %j with a sentence", (value) => {
    expect(() => parseEnv({ MC_TRUSTED_PROXIES: value })).toThrow(/MC_TRUSTED_PROXIES.*IP address, a CIDR/s);
  });
});
