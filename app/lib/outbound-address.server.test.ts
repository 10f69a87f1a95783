import dns from "node:dns";
import { describe, expect, it } from "vitest";
import { checkOutboundUrl, guardedLookup, OUTBOUND_REFUSED, parseIpv6, refusedIp, refusedUrl } from "./outbound-address.server";

describe("refusedIp", () => {
  it("refuses link-local and metadata addresses in every spelling", () => {
    for (const address of [
      "169.254.169.254",
      "169.254.0.1",
      "100.100.100.200",
      "fe80::1",
      "febf::1",
      "fd00:ec2::254",
      "::ffff:169.254.169.254",
      "::ffff:a9fe:a9fe",
      "[::ffff:a9fe:a9fe]",
      "::169.254.169.254",
      "64:ff9b::a9fe:a9fe",
      "fe80::1%eth0",
    ]) {
      expect(refusedIp(address), address).toMatch(/link-local or cloud metadata/);
    }
  });

  it("allows loopback, private and public addresses", () => {
    for (const address of ["127.0.0.1", "10.1.2.3", "192.168.1.10", "172.16.0.1", "100.64.0.1", "8.8.8.8", "::1", "fd00::1", "fd00:ec2::253", "fc00::1", "::ffff:127.0.0.1", "2001:db8::1", "fec0::1"]) {
      expect(refusedIp(address), address).toBeNull();
    }
  });

  it("parses IPv6 into bytes", () => {
    expect(parseIpv6("::1")).toEqual([...Array(15).fill(0), 1]);
    expect(parseIpv6("::ffff:1.2.3.4")?.slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(parseIpv6("1.2.3.4")).toBeNull();
  });
});

describe("refusedUrl", () => {
  it("refuses what the URL parser turns into 169.254.169.254", () => {
    for (const url of ["ws://169.254.169.254", "ws://0xA9FEA9FE:80", "ws://2852039166", "ws://0251.0376.0251.0376", "ws://169.254.43518", "ws://[::ffff:169.254.169.254]:18789", "ws://[fe80::1]/"]) {
      expect(refusedUrl(url), url).toMatch(/link-local or cloud metadata/);
    }
  });

  it("refuses metadata host names, with or without a trailing dot, in any case", () => {
    for (const url of ["ws://metadata.google.internal", "ws://METADATA.google.internal.", "ws://metadata", "ws://instance-data:80", "wss://metadata.goog"]) {
      expect(refusedUrl(url), url).toMatch(/metadata service/);
    }
  });

  it("refuses credentials in the URL", () => {
    expect(refusedUrl("ws://user:secret@127.0.0.1:18789")).toMatch(/Leave credentials out of the URL/);
    expect(refusedUrl("ws://token@127.0.0.1:18789")).toMatch(/Leave credentials out of the URL/);
  });

  it("allows loopback and LAN gateways", () => {
    expect(refusedUrl("ws://127.0.0.1:18789")).toBeNull();
    expect(refusedUrl("ws://localhost:18789")).toBeNull();
    expect(refusedUrl("ws://192.168.1.5:18789")).toBeNull();
    expect(refusedUrl("wss://gateway.example.com")).toBeNull();
  });
});

describe("checkOutboundUrl", () => {
  it("refuses a name that resolves to a metadata address, naming neither port nor anything else", async () => {
    const why = await checkOutboundUrl("wss://sneaky.example.com", async () => ["93.184.216.34", "169.254.169.254"]);
    expect(why).toBe(
      "sneaky.example.com resolves to 169.254.169.254 is a link-local or cloud metadata address; Mission Control does not connect there. Use the gateway's own address (loopback and private networks are fine).",
    );
  });

  it("allows a name that resolves to private addresses, and one that does not resolve (checked again at connect)", async () => {
    expect(await checkOutboundUrl("ws://gw.lan:18789", async () => ["10.0.0.5"])).toBeNull();
    expect(await checkOutboundUrl("ws://gone.lan:18789", async () => Promise.reject(new Error("ENOTFOUND")))).toBeNull();
  });

  it("does not resolve a literal address", async () => {
    expect(await checkOutboundUrl("ws://127.0.0.1:1", async () => ["169.254.169.254"])).toBeNull();
  });
});

describe("guardedLookup", () => {
  const fakeLookup = (addresses: string[]) =>
    ((_host: string, _options: dns.LookupOptions, callback: (error: null, entries: dns.LookupAddress[]) => void) =>
      callback(null, addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })))) as unknown as typeof dns.lookup;

  const ask = (lookup: ReturnType<typeof guardedLookup>, options: dns.LookupOptions) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      lookup("gw.example", options, (error, address, family) => resolve({ error, address, family })),
    );

  it("fails the socket's lookup with OUTBOUND_REFUSED when the name now points at a metadata address", async () => {
    const { error } = await ask(guardedLookup(fakeLookup(["169.254.169.254"])), {});
    expect(error?.code).toBe(OUTBOUND_REFUSED);
    expect(error?.message).toMatch(/^gw\.example resolves to 169\.254\.169\.254/);
  });

  it("answers the first allowed address the way net.connect asks for it", async () => {
    expect(await ask(guardedLookup(fakeLookup(["10.0.0.7", "10.0.0.8"])), {})).toEqual({ error: null, address: "10.0.0.7", family: 4 });
    const all = await ask(guardedLookup(fakeLookup(["10.0.0.7"])), { all: true });
    expect(all.address).toEqual([{ address: "10.0.0.7", family: 4 }]);
  });
});
