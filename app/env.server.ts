import { isIP } from "node:net";
import { z } from "zod";

/**
 * Every setting the server reads, validated once at boot. A bad value stops the process with a
 * sentence that says which variable is wrong and what it should look like.
 */
const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional(),
  MC_DATA_DIR: z.string().min(1).default("./data"),
  MC_ROLES: z
    .string()
    .default("web,jobs,ingest")
    .transform((value) => value.split(",").map((role) => role.trim()).filter(Boolean))
    .pipe(z.array(z.enum(["web", "jobs", "ingest"])).min(1, "name at least one role")),
  MC_PUBLIC_URL: z.string().url("must be a full URL such as https://mc.example.com").optional(),
  MC_SECURE_COOKIES: z.enum(["true", "false"]).optional(),
  MC_SECRET_KEY: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -base64 32`)").optional(),
  ADMIN_USERNAME: z.string().min(3).max(64).optional(),
  ADMIN_PASSWORD: z.string().min(10, "must be at least 10 characters").optional(),
  ADMIN_ORG_NAME: z.string().min(1).max(80).default("My organization"),
  MC_GATEWAY_RECONCILE_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** overrides the gateway's tick interval (tests: detect a dead link quickly) */
  MC_GATEWAY_TICK_MS: z.coerce.number().int().min(100).max(600_000).optional(),
  MC_GATEWAY_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).optional(),
  // a legacy OpenClaw state dir (gateways up to 2026.7) whose agents/<id>/sessions/<id>.jsonl files are tailed
  OPENCLAW_STATE_DIR: z.string().min(1).optional(),
  /** which organization those transcripts belong to (slug or id); default: the first one */
  OPENCLAW_STATE_ORG: z.string().min(1).optional(),
  /** the folder inside which admins may give a gateway a transcript folder (per-gateway transcripts); unset: off */
  MC_TRANSCRIPT_ROOT: z.string().min(1).optional(),
  /**
   * Proxies whose X-Forwarded-For / X-Forwarded-Proto / X-Forwarded-Host count (Express `trust
   * proxy`): addresses, CIDRs or loopback/linklocal/uniquelocal, comma-separated. Unset: none.
   */
  MC_TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(",").map((one) => one.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine(isProxyEntry, "each entry must be an IP address, a CIDR such as 10.0.0.0/8, or loopback, linklocal, uniquelocal"))),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export type Env = z.infer<typeof EnvSchema>;

function isProxyEntry(entry: string): boolean {
  if (["loopback", "linklocal", "uniquelocal"].includes(entry)) return true;
  const [address, prefix, extra] = entry.split("/");
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

let cached: Env | undefined;

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `  - ${issue.path.join(".") || "(environment)"}: ${issue.message}`,
    );
    throw new Error(`Mission Control cannot start: the environment is invalid.\n${lines.join("\n")}`);
  }
  if (Boolean(result.data.ADMIN_USERNAME) !== Boolean(result.data.ADMIN_PASSWORD)) {
    throw new Error(
      "Mission Control cannot start: set both ADMIN_USERNAME and ADMIN_PASSWORD, or neither (then the first visit shows a set-up form).",
    );
  }
  return result.data;
}

export function getEnv(): Env {
  cached ??= parseEnv();
  return cached;
}

export function resetEnvForTests() {
  cached = undefined;
}
