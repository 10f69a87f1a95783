/*
 * One bench worker process: holds a share of the SSE clients of test/bench/sse.ts, so that parsing
 * thousands of streams is spread over processes and the measuring side is not the bottleneck.
 * Times are process.hrtime (CLOCK_MONOTONIC), which every process on the machine shares, so the
 * parent can subtract the moment it sent a change from the moment a worker saw it.
 *
 * Messages in: open {base, token, path, count, concurrency}, close. Out: ready {opened}, failed
 * {message}, got {marker, times[]} once every client of this worker has parsed that marker.
 */
import http from "node:http";

export type WorkerCommand = { type: "open"; base: string; token: string; path: string; count: number; concurrency: number } | { type: "close" };
export type WorkerReport = { type: "ready"; opened: number } | { type: "failed"; message: string } | { type: "got"; marker: string; times: number[] };

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const send = (report: WorkerReport) => process.send!(report);

const MARKER = /"title":"bench-(\d+)"/;
const requests: http.ClientRequest[] = [];
/** marker -> receive times of this worker's clients */
const seen = new Map<string, number[]>();
let clientCount = 0;

function onFrame(frame: string, at: number, own: Set<string>) {
  if (!frame.includes("event: task.updated")) return;
  const marker = MARKER.exec(frame)?.[1];
  if (!marker || own.has(marker)) return;
  own.add(marker);
  let times = seen.get(marker);
  if (!times) seen.set(marker, (times = []));
  times.push(at);
  if (times.length === clientCount) {
    seen.delete(marker);
    send({ type: "got", marker, times });
  }
}

function openOne(base: string, token: string, path: string, agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const own = new Set<string>();
    let ready = false;
    const request = http.get(`${base}${path}`, { agent, headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`stream answered ${response.statusCode}`));
      response.setEncoding("utf8");
      let buffer = "";
      response.on("data", (chunk: string) => {
        const at = nowMs();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!ready && frame.includes("event: ready")) {
            ready = true;
            resolve();
          } else onFrame(frame, at, own);
        }
      });
      response.on("end", () => {
        if (!closing) send({ type: "failed", message: "a stream ended while the bench was running" });
      });
    });
    request.on("error", (error) => (ready ? !closing && send({ type: "failed", message: String(error) }) : reject(error)));
    requests.push(request);
  });
}

let closing = false;

process.on("message", async (command: WorkerCommand) => {
  if (command.type === "close") {
    closing = true;
    for (const request of requests) request.destroy();
    process.disconnect();
    return;
  }
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  clientCount = command.count;
  try {
    let next = 0;
    // a bounded number of handshakes at a time: the server's accept backlog is finite
    await Promise.all(
      Array.from({ length: Math.min(command.concurrency, command.count) }, async () => {
        while (next < command.count) {
          next++;
          await openOne(command.base, command.token, command.path, agent);
        }
      }),
    );
    send({ type: "ready", opened: command.count });
  } catch (error) {
    send({ type: "failed", message: String(error) });
  }
});
