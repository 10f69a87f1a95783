// Compiles server.ts (and the app/lib request guards it imports) to build/server.js. Packages stay
// external: node_modules is beside the build.
import { build } from "esbuild";

await build({
  entryPoints: ["server.ts"],
  outfile: "build/server.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
