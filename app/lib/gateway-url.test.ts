import { describe, expect, it } from "vitest";
import { gatewayUrlKey, normalizeGatewayUrl } from "./gateway-url";

describe("normalizeGatewayUrl", () => {
  it("gives every spelling of one address one key", () => {
    const key = "ws://gateway.local:18789";
    for (const spelling of ["ws://gateway.local:18789", "WS://Gateway.LOCAL:18789/", "ws://gateway.local.:18789//", "ws://gateway.local:18789#x", " ws://gateway.local:18789 "]) {
      expect(normalizeGatewayUrl(spelling)).toBe(key);
    }
  });

  it("drops the scheme's default port and maps http(s) to ws(s)", () => {
    expect(normalizeGatewayUrl("ws://h:80")).toBe("ws://h");
    expect(normalizeGatewayUrl("wss://h:443/")).toBe("wss://h");
    expect(normalizeGatewayUrl("https://h:443")).toBe("wss://h");
    expect(normalizeGatewayUrl("http://h:18789")).toBe("ws://h:18789");
    expect(normalizeGatewayUrl("wss://h:80")).toBe("wss://h:80");
  });

  it("reads IPv4 in decimal, hex and octal as the dotted quad", () => {
    expect(normalizeGatewayUrl("ws://2130706433:1")).toBe("ws://127.0.0.1:1");
    expect(normalizeGatewayUrl("ws://0x7f.1:1")).toBe("ws://127.0.0.1:1");
    expect(normalizeGatewayUrl("ws://0177.0.0.1:1")).toBe("ws://127.0.0.1:1");
  });

  it("keeps the path and query, which can name different gateways behind one proxy", () => {
    expect(normalizeGatewayUrl("wss://proxy/a/")).toBe("wss://proxy/a");
    expect(normalizeGatewayUrl("wss://proxy/b?x=1")).toBe("wss://proxy/b?x=1");
    expect(normalizeGatewayUrl("wss://proxy/a")).not.toBe(normalizeGatewayUrl("wss://proxy/b"));
  });

  it("answers null for text that is not a URL", () => {
    expect(gatewayUrlKey("not a url")).toBeNull();
  });
});
