/** Process liveness: answers as long as the event loop runs. */
export function loader() {
  return new Response(JSON.stringify({ status: "ok", uptimeSeconds: Math.round(process.uptime()) }), {
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}
