import { describe, expect, it } from "vitest";
import { gatewayOrigin, sameGatewayOrigin } from "./gateway-origin";

describe("gateway origins", () => {
  it("normalizes scheme, host case and default ports, and ignores path, query and fragment", () => {
    expect(gatewayOrigin("WSS://Gateway.Example.COM:443/socket?x=1#y")).toBe("wss://gateway.example.com");
    expect(gatewayOrigin("ws://127.0.0.1:80")).toBe("ws://127.0.0.1");
    expect(gatewayOrigin("ws://[::1]:18789/")).toBe("ws://[::1]:18789");
    expect(gatewayOrigin("ws://bücher.example:18789")).toBe("ws://xn--bcher-kva.example:18789");
    expect(sameGatewayOrigin("ws://127.0.0.1:18789", "ws://127.0.0.1:18789/other/path")).toBe(true);
    expect(sameGatewayOrigin("wss://gw.example.com", "wss://GW.example.com:443/")).toBe(true);
  });

  it("treats another scheme, host or port as another origin", () => {
    expect(sameGatewayOrigin("ws://127.0.0.1:18789", "wss://127.0.0.1:18789")).toBe(false);
    expect(sameGatewayOrigin("ws://127.0.0.1:18789", "ws://127.0.0.1:18790")).toBe(false);
    expect(sameGatewayOrigin("ws://127.0.0.1:18789", "ws://localhost:18789")).toBe(false);
    expect(sameGatewayOrigin("ws://gw.example.com", "ws://gw.example.com.evil.test")).toBe(false);
    // credentials in a URL do not make it the same place, and an unreadable URL is never the same
    expect(sameGatewayOrigin("ws://gw.example.com", "ws://gw.example.com@evil.test")).toBe(false);
    expect(sameGatewayOrigin("not a url", "not a url")).toBe(false);
  });
});
