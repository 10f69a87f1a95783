import { readiness } from "~/services.server";

/** Readiness: database reachable, migrations applied, job runner started (when this process runs jobs). */
export async function loader() {
  const result = await readiness();
  return new Response(JSON.stringify({ status: result.ready ? "ready" : "not-ready", checks: result.checks }), {
    status: result.ready ? 200 : 503,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}
