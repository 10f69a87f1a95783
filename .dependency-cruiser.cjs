/*
 * The layers of README's "Layers" section, checked on every `npm test` (npm run check:layers).
 * From the top: routes (and entry/services) → realtime streams, ingest, jobs → auth → models →
 * realtime/publish, db → lib; gateway/ and activity/ are libraries that import nothing of the app.
 * Tests may reach across layers to set things up; the rules are about the code that ships.
 */
const notTest = "(\\.test\\.tsx?$|/testing/)";

/** `from` may not import `to`. */
const forbid = (name, comment, from, to, toExtra = {}) => ({
  name,
  comment,
  severity: "error",
  from: { path: from, pathNot: notTest },
  to: { path: to, ...toExtra },
});

module.exports = {
  forbidden: [
    forbid("gateway-is-a-library", "app/gateway is the OpenClaw client: it imports nothing of the app.", "^app/gateway/", "^(app/(?!gateway/)|jobs/|server\\.ts)"),
    forbid("activity-is-pure", "app/activity is pure normalization: it imports nothing of the app.", "^app/activity/", "^(app/(?!activity/)|jobs/|server\\.ts)"),
    forbid("lib-is-the-floor", "app/lib is the bottom layer: it imports only itself and env.", "^app/lib/", "^(app/(?!lib/|env\\.server)|jobs/)"),
    forbid("db-below-models", "app/db holds the data source and entities; it knows no domain.", "^app/db/", "^(app/(?!db/|lib/|env\\.server)|jobs/)"),
    forbid(
      "models-stay-low",
      "Models are called by auth, ingest, jobs, streams and routes, never the other way round.",
      "^app/models/",
      "^(app/(routes|components|auth|ingest|jobs|gateway)/|app/realtime/(?!publish)|app/services|jobs/)",
    ),
    forbid("publish-is-a-helper", "realtime/publish writes in the caller's transaction; it imports no app code.", "^app/realtime/publish", "^(app/(?!lib/)|jobs/)"),
    forbid("hub-below-streams", "The hub fans out events; it knows no route, auth or ingest.", "^app/realtime/hub", "^(app/(routes|auth|ingest|components)/|app/realtime/stream|jobs/)"),
    forbid("auth-above-models", "auth uses models and lib; it never reaches into ingest, streams or routes.", "^app/auth/", "^(app/(routes|components|ingest)/|app/realtime/(stream|hub|sse)|jobs/)"),
    forbid("ingest-below-routes", "The gateway runtime and tailer feed models; jobs are handed to them, not imported.", "^app/ingest/", "^(app/(routes|components|auth)/|app/realtime/(stream|sse)|jobs/)"),
    forbid("jobs-below-routes", "Queues call models and ingest; never routes or streams.", "^jobs/", "^(app/(routes|components)/|app/realtime/(stream|sse))"),
    forbid("components-are-client", "Components render; server code reaches them through loaders.", "^app/components/", "^(app/(models|db|ingest|auth|jobs|realtime)/|jobs/|.*\\.server\\.tsx?$)"),
    forbid("no-route-imports-a-route", "Shared route code belongs in models, lib or components.", "^app/routes/", "^app/routes/"),
    {
      name: "one-data-access-layer",
      comment: "Only models, db, migrations and the hub's LISTEN connection touch TypeORM or pg.",
      severity: "error",
      from: { path: "^(app|jobs)/", pathNot: `${notTest}|^app/(models|db)/|^app/realtime/(hub|publish)` },
      to: { path: "node_modules/(typeorm|pg)/", dependencyTypesNot: ["type-only"] },
    },
    forbid(
      "data-source-only-in-models",
      "Queries live in models; everything else calls a model function (services.server starts the source).",
      "^(app|jobs)/(?!models/|db/|services\\.server)",
      "^app/db/(data-source|entities)",
      { dependencyTypesNot: ["type-only"] },
    ),
    forbid(
      "queries-behind-models",
      "An entity's SQL (<entity>.queries.server.ts) is called by its models, which add the rules, activity and events around it.",
      "^(app|jobs)/(?!models/)",
      "^app/models/.+\\.queries\\.server\\.ts$",
    ),
    {
      name: "no-circular",
      comment: "A cycle means two modules are one; split by role instead.",
      severity: "error",
      from: { pathNot: notTest },
      to: { circular: true, dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^build/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"], extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"] },
  },
};
