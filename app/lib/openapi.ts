import { OpenApiGeneratorV31, OpenAPIRegistry, type ResponseConfig, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import { z, type ZodTypeAny } from "zod";
import {
  AgentAnswerSchema,
  AgentListSchema,
  ApiErrorSchema,
  DeletedSchema,
  EventListQuerySchema,
  EventPageSchema,
  GatewayAnswerSchema,
  GatewayListSchema,
  HealthSchema,
  IdParamsSchema,
  LoginAnswerSchema,
  ReadinessSchema,
  TaskAnswerSchema,
  TaskListQuerySchema,
  TaskPageSchema,
  TaskPreconditionFailedSchema,
  AgentPreconditionFailedSchema,
  GatewayPreconditionFailedSchema,
} from "./api-schemas";
import {
  ApiAgentCreateSchema,
  ApiAgentUpdateSchema,
  ApiGatewayCreateSchema,
  ApiGatewayUpdateSchema,
  ApiLoginSchema,
  ApiTaskCreateSchema,
  ApiTaskUpdateSchema,
} from "./schemas";

/*
 * The OpenAPI 3.1 description of the REST API, generated from the zod schemas the routes parse
 * with (schemas.ts, api-schemas.ts): a field added to a schema shows up here by itself. What is
 * written by hand is only what zod cannot know: paths, summaries, which statuses each route answers.
 * test/integration/openapi-contract.test.ts calls every operation and checks the answers against it.
 */

const json = (schema: ZodTypeAny) => ({ "application/json": { schema } });
const answer = (description: string, schema: ZodTypeAny): ResponseConfig => ({ description, content: json(schema) });
const error = (description: string): ResponseConfig => answer(description, ApiErrorSchema);

const errors = {
  badRequest: error("`invalid_json` or `validation_failed` (details maps each field to its messages); nothing is written"),
  badQuery: error("`validation_failed`: a query parameter is out of range or not one this endpoint gave out (details names it)"),
  unauthorized: error("No token, or the token is unknown, expired or revoked (`unauthorized`)"),
  forbidden: error("The token's role is too low for this request (`forbidden`; writes need member)"),
  adminOnly: error("The token's role is too low (`forbidden`; gateways need admin or owner)"),
  notFound: error("No such row in the token's organization (`not_found`); ids of other organizations and malformed ids are not found too"),
  tooLarge: error("The body is larger than 1 MB (`payload_too_large`)"),
  gatewayExists: error(
    "`gateway_exists`: the organization already has a gateway at this URL (compared normalized: scheme and host case, default port, trailing slash); `details.existingGateway` names it",
  ),
};
const urlRefused = "; `url_refused` for a link-local or cloud metadata address (also after resolving the name) or credentials in the URL";

const secured = [{ bearerAuth: [] }];

/** ADR 017: a row's version as a strong entity tag, and the precondition a PATCH may send. */
const etag = { ETag: { description: 'The row\'s version, a strong entity tag like `"4"`; send it back in `If-Match`', schema: { type: "string" as const } } };
const ifMatch = z.object({
  "If-Match": z
    .string()
    .optional()
    .openapi({ description: 'The ETag the change is based on (`"4"`). A stale one is answered 412 and nothing is written; `*` or no header: the last write wins.' }),
});

function body(registry: OpenAPIRegistry, name: string, schema: ZodTypeAny, example: unknown) {
  return { required: true, content: { "application/json": { schema: registry.register(name, schema), example } } };
}

/** An update body: zod's "send at least one field" refinement, said in JSON Schema. */
const update = (schema: ZodTypeAny) => schema.openapi({ minProperties: 1 });

function routes(registry: OpenAPIRegistry): RouteConfig[] {
  const params = IdParamsSchema;
  return [
    {
      method: "post",
      path: "/api/auth/login",
      operationId: "login",
      summary: "Exchange a username (or email) and password for a session token",
      description:
        "The token acts as the user in their first organization, with their role there. Failed attempts are rate limited per IP and per account.",
      security: [],
      request: { body: body(registry, "LoginRequest", ApiLoginSchema, { username: "patch", password: "your-secure-password" }) },
      responses: {
        200: answer("Signed in", LoginAnswerSchema),
        400: errors.badRequest,
        401: error("Wrong username or password (`invalid_credentials`)"),
        403: error("The account belongs to no organization (`no_organization`)"),
        413: errors.tooLarge,
        429: {
          ...error("Too many failed attempts (`rate_limited`)"),
          headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } },
        },
      },
    },
    {
      method: "get",
      path: "/api/tasks",
      operationId: "listTasks",
      summary: "List the organization's tasks, oldest first, a page at a time",
      description: "Pages follow creation order, so tasks added or moved while you page neither repeat nor go missing.",
      security: secured,
      request: { query: TaskListQuerySchema },
      responses: { 200: answer("A page of tasks", TaskPageSchema), 400: errors.badQuery, 401: errors.unauthorized },
    },
    {
      method: "post",
      path: "/api/tasks",
      operationId: "createTask",
      summary: "Create a task",
      security: secured,
      request: {
        body: body(registry, "TaskCreate", ApiTaskCreateSchema, { title: "Fix auth bug", status: "todo", priority: "critical", tags: ["bug", "auth"] }),
      },
      responses: {
        201: answer("Created", TaskAnswerSchema),
        400: errors.badRequest,
        401: errors.unauthorized,
        403: errors.forbidden,
        404: error("boardId names no board of the organization (`board_not_found`)"),
        409: error("No boardId and the organization has no default board (`no_default_board`)"),
        413: errors.tooLarge,
      },
    },
    {
      method: "get",
      path: "/api/tasks/{id}",
      operationId: "getTask",
      summary: "One task",
      security: secured,
      request: { params },
      responses: { 200: { ...answer("The task", TaskAnswerSchema), headers: etag }, 401: errors.unauthorized, 404: errors.notFound },
    },
    {
      method: "patch",
      path: "/api/tasks/{id}",
      operationId: "updateTask",
      summary: "Change a task; send `status` to move it to the end of another column",
      description: "Only the fields sent change. `assignedAgent: null` unassigns, `dueDate: null` clears the date, `tags` replaces the tags.",
      security: secured,
      request: { params, headers: ifMatch, body: body(registry, "TaskUpdate", update(ApiTaskUpdateSchema), { status: "done" }) },
      responses: {
        200: { ...answer("The task after the change", TaskAnswerSchema), headers: etag },
        400: errors.badRequest,
        401: errors.unauthorized,
        403: errors.forbidden,
        404: errors.notFound,
        412: { ...answer("`precondition_failed`: If-Match is not the task's current version; nothing is written, the stored task is in `task`", TaskPreconditionFailedSchema), headers: etag },
        413: errors.tooLarge,
      },
    },
    {
      method: "delete",
      path: "/api/tasks/{id}",
      operationId: "deleteTask",
      summary: "Delete a task",
      security: secured,
      request: { params },
      responses: { 200: answer("Deleted", DeletedSchema), 401: errors.unauthorized, 403: errors.forbidden, 404: errors.notFound },
    },
    {
      method: "get",
      path: "/api/agents",
      operationId: "listAgents",
      summary: "List the organization's agents",
      security: secured,
      responses: { 200: answer("The agents", AgentListSchema), 401: errors.unauthorized },
    },
    {
      method: "post",
      path: "/api/agents",
      operationId: "createAgent",
      summary: "Add an agent by hand (`status` defaults to offline, `avatarColor` is picked from a palette)",
      security: secured,
      request: { body: body(registry, "AgentCreate", ApiAgentCreateSchema, { name: "Patch", role: "Dev", status: "online" }) },
      responses: {
        201: answer("Created", AgentAnswerSchema),
        400: errors.badRequest,
        401: errors.unauthorized,
        403: errors.forbidden,
        413: errors.tooLarge,
      },
    },
    {
      method: "get",
      path: "/api/agents/{id}",
      operationId: "getAgent",
      summary: "One agent",
      security: secured,
      request: { params },
      responses: { 200: { ...answer("The agent", AgentAnswerSchema), headers: etag }, 401: errors.unauthorized, 404: errors.notFound },
    },
    {
      method: "patch",
      path: "/api/agents/{id}",
      operationId: "updateAgent",
      summary: "Change an agent, e.g. its status",
      security: secured,
      description: "Only the fields sent change. The ETag counts edits by people and API clients; the status a gateway reports does not change it.",
      request: { params, headers: ifMatch, body: body(registry, "AgentUpdate", update(ApiAgentUpdateSchema), { status: "busy" }) },
      responses: {
        200: { ...answer("The agent after the change", AgentAnswerSchema), headers: etag },
        400: errors.badRequest,
        401: errors.unauthorized,
        403: errors.forbidden,
        404: errors.notFound,
        412: { ...answer("`precondition_failed`: If-Match is not the agent's current version; nothing is written, the stored agent is in `agent`", AgentPreconditionFailedSchema), headers: etag },
        413: errors.tooLarge,
      },
    },
    {
      method: "get",
      path: "/api/events",
      operationId: "listEvents",
      summary: "The activity feed, newest first, a page at a time",
      description: "Events recorded while you page land before the first page, so later pages neither repeat nor skip any.",
      security: secured,
      request: { query: EventListQuerySchema },
      responses: { 200: answer("A page of events", EventPageSchema), 400: errors.badQuery, 401: errors.unauthorized },
    },
    {
      method: "get",
      path: "/api/gateways",
      operationId: "listGateways",
      summary: "The organization's gateways with their connection state",
      description: "Any role may list them; `url`, `deviceId`, `lastError`, `lastPollError`, `pairing` and `transcriptDir` are only in admins' and owners' answers.",
      security: secured,
      responses: { 200: answer("The gateways", GatewayListSchema), 401: errors.unauthorized },
    },
    {
      method: "post",
      path: "/api/gateways",
      operationId: "createGateway",
      summary: "Add a gateway (admin); the token is stored encrypted and never returned",
      security: secured,
      request: { body: body(registry, "GatewayCreate", ApiGatewayCreateSchema, { name: "Home", url: "ws://127.0.0.1:18789", token: "…" }) },
      responses: {
        201: answer("Created", GatewayAnswerSchema),
        400: error(`\`invalid_json\` or \`validation_failed\`; also a transcriptDir outside MC_TRANSCRIPT_ROOT, missing or not a folder${urlRefused}`),
        401: errors.unauthorized,
        403: errors.adminOnly,
        409: errors.gatewayExists,
        413: errors.tooLarge,
      },
    },
    {
      method: "get",
      path: "/api/gateways/{id}",
      operationId: "getGateway",
      summary: "One gateway and its connection state",
      description: "Any role may read it; `url`, `deviceId`, `lastError`, `lastPollError`, `pairing` and `transcriptDir` are only in admins' and owners' answers.",
      security: secured,
      request: { params },
      responses: { 200: { ...answer("The gateway", GatewayAnswerSchema), headers: etag }, 401: errors.unauthorized, 404: errors.notFound },
    },
    {
      method: "patch",
      path: "/api/gateways/{id}",
      operationId: "updateGateway",
      summary: "Change a gateway (admin); a new URL or token restarts its connection",
      description:
        "`token: null` removes the stored token, `transcriptDir: null` the transcript folder. A `url` on another origin (scheme, host or port) than the stored one needs `token` (or `token: null`) in the same request: the stored token is never sent to a new origin, and the request is refused with 422 `token_required`, writing nothing.",
      security: secured,
      request: { params, headers: ifMatch, body: body(registry, "GatewayUpdate", update(ApiGatewayUpdateSchema), { pollIntervalSeconds: 60 }) },
      responses: {
        200: { ...answer("The gateway after the change", GatewayAnswerSchema), headers: etag },
        400: error(`\`invalid_json\` or \`validation_failed\`${urlRefused}`),
        401: errors.unauthorized,
        403: errors.adminOnly,
        404: errors.notFound,
        409: errors.gatewayExists,
        412: { ...answer("`precondition_failed`: If-Match is not the gateway's current version; nothing is written, the stored gateway is in `gateway`", GatewayPreconditionFailedSchema), headers: etag },
        413: errors.tooLarge,
        422: error("`token_required`: the new `url` is on another origin and no `token` was sent; nothing is written"),
      },
    },
    {
      method: "delete",
      path: "/api/gateways/{id}",
      operationId: "deleteGateway",
      summary: "Remove a gateway (admin); its agents stay, marked offline",
      security: secured,
      request: { params },
      responses: { 200: answer("Removed", DeletedSchema), 401: errors.unauthorized, 403: errors.adminOnly, 404: errors.notFound },
    },
    {
      method: "get",
      path: "/api/openapi.json",
      operationId: "openapi",
      summary: "This document",
      security: [],
      responses: { 200: { description: "OpenAPI 3.1 document", content: { "application/json": { schema: { type: "object", required: ["openapi", "paths"] } } } } },
    },
    {
      method: "get",
      path: "/health",
      operationId: "health",
      summary: "Liveness: answers while the process runs",
      security: [],
      responses: { 200: answer("Alive", HealthSchema) },
    },
    {
      method: "get",
      path: "/ready",
      operationId: "ready",
      summary: "Readiness: database reachable, migrations applied, job runner and live updates started where this process runs them",
      security: [],
      responses: { 200: answer("Ready to serve", ReadinessSchema), 503: answer("Not ready; `checks` says what is missing", ReadinessSchema) },
    },
  ];
}

let built: ReturnType<typeof generate> | undefined;

/** The document; generated once per process (the schemas do not change while it runs). */
export function buildOpenApiDocument() {
  built ??= generate();
  return built;
}

function generate() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API token (`mc_…`) or a session token from /api/auth/login",
  });
  for (const route of routes(registry)) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Mission Control API",
      version: "1.1.0",
      description:
        "Tasks, agents and the activity feed of one organization. Authenticate with `Authorization: Bearer <token>`: " +
        "an API token from Settings › API tokens (acts as a member of its organization) or a session token from POST /api/auth/login. " +
        "Every response is JSON; errors are `{ error: { code, message, details } }`. Wrong methods answer 405. " +
        "Lists that page (`/api/tasks`, `/api/events`) take `limit` and `cursor` and answer `nextCursor`.",
    },
    servers: [{ url: "/" }],
    security: secured,
  });
}
