import dns from "node:dns";
import net from "node:net";

/*
 * Where Mission Control may open a connection to on an admin's say-so (gateway URLs now, alert
 * receivers later). Loopback and private ranges stay allowed — gateways run on 127.0.0.1 and on
 * LANs — but link-local addresses and the clouds' metadata services are refused: a URL pointing
 * there would let anyone who can add a gateway make this server fetch its own cloud credentials.
 * The same policy answers for a URL as typed (create, update) and for every address a name
 * resolves to (then and again right before each connect, through `guardedLookup`).
 */

/** Names that resolve to a metadata service inside clouds (compared without a trailing dot, lower case). */
const METADATA_HOSTS = new Set([
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.internal",
  "metadata.tencentyun.com",
  "metadata.oraclecloud.com",
]);

/** Single metadata addresses outside the link-local range (Alibaba Cloud's sits in 100.64.0.0/10). */
const METADATA_IPV4 = new Set(["100.100.100.200"]);

export const OUTBOUND_REFUSED = "OUTBOUND_REFUSED";

const refusedAddress = (address: string) =>
  `${address} is a link-local or cloud metadata address; Mission Control does not connect there. Use the gateway's own address (loopback and private networks are fine).`;

function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : NaN));
  return bytes.every((byte) => Number.isInteger(byte) && byte <= 255) ? bytes : null;
}

/** An IPv6 address as 16 bytes (also the `::ffff:1.2.3.4` spelling); null when it is not one. */
export function parseIpv6(text: string): number[] | null {
  let value = text.replace(/^\[|\]$/g, "").split("%")[0]!.toLowerCase();
  if (!net.isIPv6(value)) return null;
  let tail: number[] = [];
  const lastColon = value.lastIndexOf(":");
  const dotted = value.slice(lastColon + 1);
  if (dotted.includes(".")) {
    const v4 = parseIpv4(dotted);
    if (!v4) return null;
    tail = v4;
    value = value.slice(0, lastColon + 1) + "0:0";
  }
  const [head, rest] = value.includes("::") ? value.split("::") : [value, undefined];
  const groups = (part: string | undefined) => (part ? part.split(":").filter((g) => g !== "") : []);
  const front = groups(head);
  const back = groups(rest);
  const missing = 8 - front.length - back.length;
  const all = rest === undefined ? front : [...front, ...Array<string>(missing).fill("0"), ...back];
  if (all.length !== 8) return null;
  const bytes = all.flatMap((group) => {
    const n = parseInt(group, 16);
    return [n >> 8, n & 0xff];
  });
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

const AWS_METADATA_IPV6 = parseIpv6("fd00:ec2::254")!.join(",");

function ipv4Refused([a, b]: number[]): boolean {
  return a === 169 && b === 254;
}

/** Why this literal address may not be connected to, or null when it may. */
export function refusedIp(address: string): string | null {
  const v4 = parseIpv4(address);
  if (v4 && net.isIPv4(address)) return ipv4Refused(v4) || METADATA_IPV4.has(v4.join(".")) ? refusedAddress(address) : null;
  const v6 = parseIpv6(address);
  if (!v6) return null;
  const shown = address.replace(/^\[|\]$/g, "");
  // fe80::/10, link-local
  if (v6[0] === 0xfe && (v6[1]! & 0xc0) === 0x80) return refusedAddress(shown);
  // fd00:ec2::254, AWS's IPv6 metadata service
  if (v6.join(",") === AWS_METADATA_IPV6) return refusedAddress(shown);
  // IPv4 inside IPv6: mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d
  const embedded = v6.slice(12);
  const prefix = v6.slice(0, 12).join(",");
  const mapped = [...Array(10).fill(0), 0xff, 0xff].join(",");
  const compatible = Array(12).fill(0).join(",");
  const nat64 = [0, 0x64, 0xff, 0x9b, ...Array(8).fill(0)].join(",");
  if ((prefix === mapped || prefix === compatible || prefix === nat64) && (ipv4Refused(embedded) || METADATA_IPV4.has(embedded.join(".")))) {
    return refusedAddress(shown);
  }
  return null;
}

/**
 * What can be said of a URL without resolving it: credentials in it, a metadata host name or a
 * refused literal address. The WHATWG parser has already turned `0xA9FEA9FE`, `2852039166` and
 * `0251.0376.0251.0376` into 169.254.169.254, so the hostname is checked as it parsed.
 */
export function refusedUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "That is not a URL.";
  }
  if (url.username || url.password) {
    return "Leave credentials out of the URL: put the gateway's token in the Token field, where it is stored encrypted.";
  }
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (METADATA_HOSTS.has(host)) return `${host} is a cloud metadata service; Mission Control does not connect there.`;
  return refusedIp(host);
}

export type Resolver = (hostname: string) => Promise<string[]>;

const systemResolver: Resolver = async (hostname) => (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * The URL as typed, then every address its name resolves to now. A name that does not resolve
 * passes (the gateway may be down or not yet in DNS); the connect-time lookup checks it again.
 */
export async function checkOutboundUrl(raw: string, resolve: Resolver = systemResolver): Promise<string | null> {
  const refused = refusedUrl(raw);
  if (refused) return refused;
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host)) return null;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return null;
  }
  for (const address of addresses) {
    const why = refusedIp(address);
    if (why) return `${host} resolves to ${why}`;
  }
  return null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `dns.lookup` for the socket itself: it answers only addresses the policy allows, so the check
 * holds for the address really connected to (a name re-pointed to 169.254.x after it was added
 * fails here, with the policy's sentence and the code OUTBOUND_REFUSED).
 */
export function guardedLookup(lookup: typeof dns.lookup = dns.lookup) {
  return (hostname: string, options: dns.LookupOptions | LookupCallback, maybeCallback?: LookupCallback) => {
    const callback = (typeof options === "function" ? options : maybeCallback)!;
    const opts: dns.LookupOptions = typeof options === "function" ? {} : options;
    lookup(hostname, { ...opts, all: true }, (error, entries) => {
      if (error) return callback(error, opts.all ? [] : "", undefined);
      const list = entries as dns.LookupAddress[];
      for (const entry of list) {
        const why = refusedIp(entry.address);
        if (why) {
          const refusal: NodeJS.ErrnoException = new Error(`${hostname} resolves to ${why}`);
          refusal.code = OUTBOUND_REFUSED;
          return callback(refusal, opts.all ? [] : "", undefined);
        }
      }
      if (opts.all) return callback(null, list);
      const first = list[0];
      if (!first) {
        const none: NodeJS.ErrnoException = new Error(`${hostname} has no address`);
        none.code = "ENOTFOUND";
        return callback(none, "", undefined);
      }
      callback(null, first.address, first.family);
    });
  };
}
