import http from "node:http";
import { summarize, type Summary } from "./stats";

export interface HttpResult {
  status: number;
  bytes: number;
}

/** One GET over a keep-alive agent; the body is read to the end and counted, not kept. */
export function get(url: string, { agent, headers }: { agent: http.Agent; headers?: Record<string, string> }): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers }, (response) => {
      let bytes = 0;
      response.on("data", (chunk: Buffer) => (bytes += chunk.length));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, bytes }));
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}

export interface LoadResult {
  requests: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  latency: Summary;
  failures: number;
  bytesPerResponse: number;
}

/**
 * `concurrency` clients on loopback, each sending its next GET as soon as the previous one is
 * answered, until `requests` have been sent in total (after `warmup` untimed requests).
 */
export async function runLoad({
  url,
  headers,
  concurrency,
  requests,
  warmup = concurrency * 2,
}: {
  url: string;
  headers?: Record<string, string>;
  concurrency: number;
  requests: number;
  warmup?: number;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const drive = async (total: number, record?: Float64Array) => {
      let next = 0;
      let failures = 0;
      let bytes = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < total) {
            const index = next++;
            const started = performance.now();
            const result = await get(url, { agent, headers });
            if (record) record[index] = performance.now() - started;
            if (result.status !== 200) failures++;
            bytes += result.bytes;
          }
        }),
      );
      return { failures, bytes };
    };
    await drive(warmup);
    const latencies = new Float64Array(requests);
    const started = performance.now();
    const { failures, bytes } = await drive(requests, latencies);
    const seconds = (performance.now() - started) / 1000;
    return {
      requests,
      concurrency,
      seconds,
      perSecond: requests / seconds,
      latency: summarize(latencies),
      failures,
      bytesPerResponse: bytes / requests,
    };
  } finally {
    agent.destroy();
  }
}
