/*
 * The one process: Express serving the Remix build, plus the services the build owns (database,
 * migrations, jobs). `node build/server.js` in production; `npm run dev` runs this file with Vite.
 */
import compression from "compression";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { acceptFormBodiesOnly, answerClientErrors, guardRequestTarget, limitRequestBodies } from "./app/lib/request-guards.server";
import { refuseCrossOriginWrites } from "./app/lib/origin-guard.server";
import { noStoreByDefault, securityHeaders } from "./app/lib/security-headers.server";

interface EntryExports {
  startServices: () => Promise<void>;
  stopServices: () => Promise<void>;
  handleEventStream: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  getEnv: () => { PORT: number; HOST: string; NODE_ENV: string; MC_TRUSTED_PROXIES: string[] };
}

const development = process.env.NODE_ENV === "development";
const here = import.meta.dirname;

async function main() {
  const app = express();
  app.disable("x-powered-by");
  // CSP with a per-request nonce, nosniff, no-store and friends on every answer, static files too
  app.use(securityHeaders({ csp: !development }));
  // Before anything reads a body or a parameter: see app/lib/request-guards.server.ts.
  app.use(limitRequestBodies());
  app.use(guardRequestTarget());
  app.use(acceptFormBodiesOnly());
  // a 403 with a sentence, not Remix's own CSRF guard's 500 (app/lib/origin-guard.server.ts)
  app.use(refuseCrossOriginWrites(() => process.env.MC_PUBLIC_URL));

  let loadBuild: () => Promise<ServerBuild>;
  if (development) {
    const vite = await import("vite");
    const devServer = await vite.createServer({ server: { middlewareMode: true } });
    app.use(devServer.middlewares);
    loadBuild = () => devServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
  } else {
    const buildPath = path.join(here, "server", "index.js");
    const build = (await import(buildPath)) as ServerBuild;
    loadBuild = async () => build;
    const client = path.join(here, "client");
    app.use("/assets", express.static(path.join(client, "assets"), { immutable: true, maxAge: "1y" }));
    app.use(express.static(client, { maxAge: "1h" }));
  }

  const entry = (await loadBuild()).entry.module as unknown as EntryExports;
  let env: ReturnType<EntryExports["getEnv"]>;
  try {
    env = entry.getEnv();
    await entry.startServices();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    await entry.stopServices().catch(() => {});
    process.exit(1);
  }

  app.use(noStoreByDefault());
  // X-Forwarded-For/-Proto/-Host count only from these (req.ip for rate limits, https for Secure cookies)
  app.set("trust proxy", env.MC_TRUSTED_PROXIES.length > 0 ? env.MC_TRUSTED_PROXIES : false);

  // GET /events writes its frames to the Node response itself, ahead of compression and Remix
  // (ADR 011: one encoded frame goes to every socket, no web stream per client). The route module
  // app/routes/events.ts serves the same stream when a request reaches Remix some other way.
  app.get("/events", (req, res, next) => {
    if (req.method !== "GET") return next();
    const current = development ? loadBuild().then((build) => build.entry.module as unknown as EntryExports) : Promise.resolve(entry);
    current.then((module) => module.handleEventStream(req, res)).catch(next);
  });

  // Server-sent events must reach the browser as they are written, never buffered by gzip.
  app.use(
    compression({
      filter: (req, res) => {
        const type = String(res.getHeader("Content-Type") ?? "");
        return !type.includes("text/event-stream") && compression.filter(req, res);
      },
    }),
  );

  app.all(
    "*",
    development
      ? async (req, res, next) => {
          try {
            const handler = createRequestHandler({ build: await loadBuild(), getLoadContext: (r, s) => ({ clientIp: r.ip ?? "unknown", cspNonce: s.locals.cspNonce }) });
            await handler(req, res, next);
          } catch (error) {
            next(error);
          }
        }
      : createRequestHandler({ build: await loadBuild(), getLoadContext: (req, res) => ({ clientIp: req.ip ?? "unknown", cspNonce: res.locals.cspNonce }) }),
  );

  const server: Server = app.listen(env.PORT, env.HOST, () => {
    const address = server.address() as AddressInfo;
    process.stdout.write(
      JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "Mission Control listening", url: `http://${address.address}:${address.port}` }) + "\n",
    );
  });
  answerClientErrors(server);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "shutting down", signal }) + "\n");
    const force = setTimeout(() => {
      process.stderr.write("shutdown took longer than 9 s; exiting anyway\n");
      process.exit(1);
    }, 9000);
    force.unref();
    server.close();
    // Idle keep-alive sockets would hold close() open; long-lived streams are ended here too.
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
    await entry.stopServices();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error) => {
  process.stderr.write(`Mission Control failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
