/*
 * One bench worker process: holds a share of the SSE clients of test/bench/sse.ts, so that parsing
 * thousands of streams is spread over processes and the measuring side is not the bottleneck.
 * Times are process.hrtime (CLOCK_MONOTONIC), which every process on the machine shares, so the
 * parent can subtract the moment it sent a change from the moment a worker saw it.
 *
 * Messages in: open {base, token, path, count, concurrency}, close. Out: ready {opened}, failed
 * {message}, got {marker, times[]} once every client of this worker has parsed that marker.
 */
import net from "node:net";

export type WorkerCommand = { type: "open"; base: string; token: string; path: string; count: number; concurrency: number } | { type: "close" };
export type WorkerReport = { type: "ready"; opened: number } | { type: "failed"; message: string } | { type: "got"; marker: string; times: number[] };

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const send = (report: WorkerReport) => process.send!(report);

const MARKER = /"title":"bench-(\d+)"/;
const sockets: net.Socket[] = [];
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

/**
 * One stream on a raw socket: the request written by hand, the bytes scanned for the frames the
 * bench cares about. http.get's parser and a string decoder per stream cost the measuring side
 * more than the server spends writing the frame. Each frame is one write (one HTTP chunk) on the
 * server, so chunk-size lines fall between frames, never inside one.
 */
function openOne(base: string, token: string, path: string): Promise<void> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const own = new Set<string>();
    let ready = false;
    let buffer = "";
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      const at = nowMs();
      buffer += chunk;
      if (!ready) {
        if (!buffer.startsWith("HTTP/1.1 200")) {
          if (buffer.includes("\r\n")) reject(new Error(`stream answered ${buffer.slice(0, buffer.indexOf("\r\n"))}`));
          return;
        }
        if (!buffer.includes("event: ready")) return;
        ready = true;
        resolve();
      }
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        onFrame(buffer.slice(0, end), at, own);
        buffer = buffer.slice(end + 2);
      }
    });
    socket.on("end", () => {
      if (!closing) send({ type: "failed", message: "a stream ended while the bench was running" });
    });
    socket.on("error", (error) => (ready ? !closing && send({ type: "failed", message: String(error) }) : reject(error)));
    sockets.push(socket);
  });
}

let closing = false;

process.on("message", async (command: WorkerCommand) => {
  if (command.type === "close") {
    closing = true;
    for (const socket of sockets) socket.destroy();
    process.disconnect();
    return;
  }
  clientCount = command.count;
  try {
    let next = 0;
    // a bounded number of handshakes at a time: the server's accept backlog is finite
    await Promise.all(
      Array.from({ length: Math.min(command.concurrency, command.count) }, async () => {
        while (next < command.count) {
          next++;
          await openOne(command.base, command.token, command.path);
        }
      }),
    );
    send({ type: "ready", opened: command.count });
  } catch (error) {
    send({ type: "failed", message: String(error) });
  }
});
