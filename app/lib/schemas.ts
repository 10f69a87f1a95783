import { z } from "zod";
import { AGENT_ROLES, AGENT_STATUSES, TASK_PRIORITIES, TASK_STATUSES } from "./constants";
import { DEFAULT_TIME_ZONE, isTimeZone } from "./time-zone";

/*
 * One schema per form, used by the browser (conform) and the server (parseWithZod), and by the
 * REST API where the shapes coincide.
 */

const trimmed = (max: number, label: string) =>
  z.string({ required_error: `${label} is required` }).trim().min(1, `${label} is required`).max(max, `${label} must be at most ${max} characters`);

export const UsernameSchema = z
  .string({ required_error: "Username is required" })
  .trim()
  .min(3, "Username must be at least 3 characters")
  .max(64, "Username must be at most 64 characters")
  .regex(/^[a-zA-Z0-9._-]+$/, "Use letters, digits, dots, dashes and underscores only");

export const PasswordSchema = z
  .string({ required_error: "Password is required" })
  .min(10, "Password must be at least 10 characters")
  .max(200, "Password must be at most 200 characters");

export const EmailSchema = z.string().trim().email("Enter a valid email address").max(200).optional();

export const LoginSchema = z.object({
  username: z.string({ required_error: "Username or email is required" }).trim().min(1, "Username or email is required").max(200),
  password: z.string({ required_error: "Password is required" }).min(1, "Password is required").max(200),
  // Where to go after signing in; one that could not be a header value (CR, LF, other controls)
  // is dropped rather than refusing the sign-in (safeRedirectTarget in app/lib/safe-redirect.ts checks the rest).
  redirectTo: z.string().max(2000).regex(/^[^\u0000-\u001f\u007f]*$/).optional().catch(undefined),
});

/** An IANA zone name the runtime knows ("Europe/Berlin", "UTC"). */
export const TimeZoneSchema = z
  .string({ required_error: "Pick a time zone from the list" })
  .trim()
  .refine(isTimeZone, (value) => ({ message: `"${value.slice(0, 64)}" is not a time zone we know; pick one from the list, such as Europe/Berlin or UTC` }));

/** The zone set-up and "new organization" take from the browser (a hidden input; without JavaScript: UTC). */
const BrowserTimeZoneSchema = TimeZoneSchema.optional().transform((value) => value ?? DEFAULT_TIME_ZONE);

export const MAX_MONTHLY_BUDGET_USD = 1_000_000;

/** A monthly budget in USD from a text field: empty is no budget (undefined), else 0 ≤ x ≤ the maximum, in cents. */
export const MonthlyBudgetSchema = z
  .number({ invalid_type_error: "Enter the budget as a number of dollars, such as 250 or 99.50, or leave it empty for no budget" })
  .min(0, "A budget cannot be negative; leave it empty for no budget")
  .max(MAX_MONTHLY_BUDGET_USD, `A monthly budget can be at most $${MAX_MONTHLY_BUDGET_USD.toLocaleString("en-US")}`)
  .refine((value) => Math.abs(Math.round(value * 100) - value * 100) < 1e-6, "Use at most two decimals (whole cents)")
  .optional();

export const SetupSchema = z
  .object({
    timeZone: BrowserTimeZoneSchema,
    username: UsernameSchema,
    email: EmailSchema,
    password: PasswordSchema,
    confirmPassword: z.string({ required_error: "Repeat the password" }),
    orgName: trimmed(80, "Organization name"),
  })
  .refine((value) => value.password === value.confirmPassword, {
    message: "The passwords do not match",
    path: ["confirmPassword"],
  });

export const ProfileSchema = z.object({
  displayName: trimmed(80, "Display name"),
  // empty: no email
  email: z.string().trim().max(200, "Email must be at most 200 characters").email("Enter a valid email address, or leave it empty").optional(),
  currentPassword: z.string().max(1000).optional(),
});

export const ChangePasswordSchema = z
  .object({
    currentPassword: z.string({ required_error: "Enter your current password" }).min(1),
    newPassword: PasswordSchema,
    confirmPassword: z.string({ required_error: "Repeat the new password" }),
  })
  .refine((value) => value.newPassword === value.confirmPassword, {
    message: "The passwords do not match",
    path: ["confirmPassword"],
  });

export const OrgSchema = z.object({ name: trimmed(80, "Organization name") });

/** "New organization": its name and the browser's zone. */
export const NewOrgSchema = OrgSchema.extend({ timeZone: BrowserTimeZoneSchema });

/** Settings › Organization › time zone and budget. */
export const OrgUsageSettingsSchema = z.object({ timeZone: TimeZoneSchema, monthlyBudgetUsd: MonthlyBudgetSchema });

export const BoardSchema = z.object({
  name: trimmed(80, "Board name"),
  description: z.string().trim().max(2000, "Description must be at most 2000 characters").default(""),
  objective: z.string().trim().max(500, "Objective must be at most 500 characters").default(""),
  groupId: z.string().uuid("Pick a group from the list").optional(),
});

export const BoardGroupSchema = z.object({ name: trimmed(60, "Group name") });

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-12-31")
  // Date.parse rolls 2026-02-30 over into March; PostgreSQL would reject it. Round-trip instead.
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, "That date does not exist");

export const TagNamesSchema = z
  .array(z.string().trim().min(1, "Tags cannot be empty").max(40, "Tags must be at most 40 characters"))
  .max(20, "At most 20 tags per task");

/** Task fields in the form: tags arrive as one comma-separated string. */
export const TaskFormSchema = z.object({
  title: trimmed(200, "Title"),
  description: z.string().max(20000, "Description must be at most 20000 characters").default(""),
  status: z.enum(TASK_STATUSES, { errorMap: () => ({ message: "Pick a status from the list" }) }),
  priority: z.enum(TASK_PRIORITIES, { errorMap: () => ({ message: "Pick a priority from the list" }) }),
  assigneeAgentId: z.string().uuid("Pick an agent from the list").optional(),
  dueDate: isoDate.optional(),
  tags: z
    .string()
    .max(1000)
    .optional()
    .transform((value) =>
      Array.from(new Set((value ?? "").split(",").map((tag) => tag.trim()).filter(Boolean))),
    )
    .pipe(TagNamesSchema),
});

export const MoveTaskSchema = z.object({
  taskId: z.string().uuid("Unknown task"),
  status: z.enum(TASK_STATUSES, { errorMap: () => ({ message: "Pick a status from the list" }) }),
  beforeTaskId: z.string().uuid().optional(),
});

export const AgentSchema = z.object({
  name: trimmed(60, "Name"),
  role: z.enum(AGENT_ROLES, { errorMap: () => ({ message: "Pick a role: Main, Dev, Research or Ops" }) }),
  status: z.enum(AGENT_STATUSES, { errorMap: () => ({ message: "Pick a status: online, offline or busy" }) }).default("offline"),
  avatarColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, "Use a colour like #3b82f6").optional(),
});

/** The agent page's edit form: AgentSchema plus the agent's own monthly budget (empty: none). */
export const AgentEditSchema = AgentSchema.extend({ monthlyBudgetUsd: MonthlyBudgetSchema });

/** POST /api/agents: the form's fields, closed to unknown ones. */
export const ApiAgentCreateSchema = AgentSchema.strict();

export const TagSchema = z.object({
  name: trimmed(40, "Tag name"),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, "Use a colour like #3b82f6"),
});

export const API_TOKEN_ROLES = ["read-only", "member"] as const;
export type ApiTokenRole = (typeof API_TOKEN_ROLES)[number];
/** How long a new token lives: a preset, or "date" with the day it stops working. */
export const API_TOKEN_EXPIRY_PRESETS = ["7", "30", "90", "never", "date"] as const;

export const ApiTokenSchema = z
  .object({
    name: trimmed(60, "Token name"),
    role: z.enum(API_TOKEN_ROLES, { errorMap: () => ({ message: "Pick read-only or member" }) }).default("member"),
    expiry: z.enum(API_TOKEN_EXPIRY_PRESETS, { errorMap: () => ({ message: "Pick when the token expires" }) }).default("90"),
    expiresOn: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter the date as YYYY-MM-DD")
      .optional(),
  })
  .superRefine((value, ctx) => {
    if (value.expiry !== "date") return;
    if (!value.expiresOn) {
      ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "Pick the day the token stops working, or choose a preset" });
      return;
    }
    const at = Date.parse(`${value.expiresOn}T23:59:59.999Z`);
    if (Number.isNaN(at)) ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "That is not a calendar date" });
    else if (at <= Date.now()) ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "The expiry date must be in the future" });
    else if (at > Date.now() + 5 * 366 * 86_400_000) ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "Pick a date within five years, or choose never" });
  });

/** The moment a token made with these choices expires (the end of the chosen day, UTC); null: never. */
export function apiTokenExpiresAt(value: { expiry: (typeof API_TOKEN_EXPIRY_PRESETS)[number]; expiresOn?: string }, now = Date.now()): Date | null {
  if (value.expiry === "never") return null;
  if (value.expiry === "date") return new Date(`${value.expiresOn}T23:59:59.999Z`);
  return new Date(now + Number(value.expiry) * 86_400_000);
}

export const InviteSchema = z.object({
  role: z.enum(["admin", "member", "viewer"], { errorMap: () => ({ message: "Pick a role" }) }),
});

/* REST API bodies (BACKEND_SPEC shapes, camelCase). */
export const ApiTaskCreateSchema = z
  .object({
    title: trimmed(200, "title"),
    description: z.string().max(20000).optional(),
    status: z.enum(TASK_STATUSES).default("backlog"),
    priority: z.enum(TASK_PRIORITIES).default("medium"),
    assignedAgent: z.string().uuid("assignedAgent must be an agent id").nullable().optional(),
    tags: TagNamesSchema.optional(),
    dueDate: isoDate.nullable().optional(),
    boardId: z.string().uuid("boardId must be a board id").optional(),
  })
  .strict();

export const ApiTaskUpdateSchema = z
  .object({
    title: trimmed(200, "title").optional(),
    description: z.string().max(20000).optional(),
    status: z.enum(TASK_STATUSES).optional(),
    priority: z.enum(TASK_PRIORITIES).optional(),
    assignedAgent: z.string().uuid("assignedAgent must be an agent id").nullable().optional(),
    tags: TagNamesSchema.optional(),
    dueDate: isoDate.nullable().optional(),
    boardId: z.string().uuid("boardId must be a board id").optional(),
  })
  .strict()
  .refine((value) => Object.keys(value).length > 0, { message: "Send at least one field to change" });

export const ApiAgentUpdateSchema = z
  .object({
    name: trimmed(60, "name").optional(),
    role: z.enum(AGENT_ROLES).optional(),
    status: z.enum(AGENT_STATUSES).optional(),
    avatarColor: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional(),
  })
  .strict()
  .refine((value) => Object.keys(value).length > 0, { message: "Send at least one field to change" });

export const ApiLoginSchema = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(200) }).strict();

const gatewayUrl = z
  .string({ required_error: "URL is required" })
  .trim()
  .min(1, "URL is required")
  .max(500)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "ws:" || url.protocol === "wss:") && Boolean(url.hostname);
    } catch {
      return false;
    }
  }, "Use the gateway's WebSocket URL, like ws://127.0.0.1:18789 or wss://gateway.example.com");

/** The gateway form. An empty token on edit keeps the stored one; `clearToken` removes it. */
export const GatewaySchema = z.object({
  name: z.string({ required_error: "Name is required" }).trim().min(1, "Name is required").max(80, "Name must be at most 80 characters"),
  url: gatewayUrl,
  token: z.string().trim().max(500, "That token is too long").optional(),
  pollIntervalSeconds: z.coerce
    .number({ invalid_type_error: "Enter a number of seconds" })
    .int("Use whole seconds")
    .min(5, "Poll at most every 5 seconds")
    .max(3600, "Poll at least once an hour")
    .default(30),
  /** empty: none (the form always shows the whole setting) */
  transcriptDir: z.string().trim().max(1000, "That path is too long").optional(),
  clearToken: z.literal("on").optional(),
});

export const ApiGatewayCreateSchema = z
  .object({
    name: z.string().trim().min(1, "name is required").max(80),
    url: gatewayUrl,
    token: z.string().trim().min(1).max(500).optional(),
    pollIntervalSeconds: z.number().int().min(5).max(3600).optional(),
    transcriptDir: z.string().trim().min(1).max(1000).optional(),
  })
  .strict();

export const ApiGatewayUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(80).optional(),
    url: gatewayUrl.optional(),
    /** null removes the token */
    token: z.string().trim().min(1).max(500).nullable().optional(),
    pollIntervalSeconds: z.number().int().min(5).max(3600).optional(),
    /** null removes the transcript folder */
    transcriptDir: z.string().trim().min(1).max(1000).nullable().optional(),
  })
  .strict()
  .refine((value) => Object.keys(value).length > 0, { message: "Send at least one field to change" });
