import type { GatewayFiguresView } from "~/lib/gateway-figures";
import { db, transaction } from "~/db/data-source.server";
import { topic } from "~/lib/topics";
import type { Gateway, GatewayStateName, Role } from "~/db/entities";
import { sameGatewayOrigin } from "~/lib/gateway-origin";
import { DomainError } from "~/lib/http.server";
import { decryptSecret, encryptSecret } from "~/lib/secret-box.server";
import { checkTranscriptFolder } from "~/lib/transcript-folder.server";
import { isUniqueViolation } from "~/db/rows";
import { normalizeGatewayUrl } from "~/lib/gateway-url";
import { checkOutboundUrl } from "~/lib/outbound-address.server";
import { publish } from "~/realtime/publish.server";
import { recordActivity, type Actor } from "./activity.server";
import { markOrphanedGatewayAgentsOffline } from "./agent.queries.server";
import { roleAtLeast } from "./organization.server";
import { assertVersion, claimRowVersion, StaleVersionError } from "./row-version.server";
import * as queries from "./gateway.queries.server";

/*
 * The gateway registry. Tokens are sealed with AES-256-GCM before they touch the database and are
 * only ever opened by the connection runtime; nothing here returns one.
 */

export interface GatewayInput {
  name: string;
  url: string;
  /** undefined: keep; null: remove; string: replace */
  token?: string | null;
  pollIntervalSeconds?: number;
  /** undefined: keep; null or "": none; string: the gateway's state directory on this host (checked) */
  transcriptDir?: string | null;
}

export function listGateways(orgId: string): Promise<Gateway[]> {
  return queries.selectGateways(db().manager, orgId);
}

export function getGateway({ orgId, id }: { orgId: string; id: string }): Promise<Gateway | null> {
  return queries.findGateway(db().manager, { orgId, id });
}

/** Every gateway of every organization: what the connection runtime keeps connected. */
export function listAllGateways(): Promise<Gateway[]> {
  return queries.selectAllGateways(db().manager);
}

export function openGatewayToken(gateway: Pick<Gateway, "tokenEncrypted">): string | null {
  return gateway.tokenEncrypted ? decryptSecret(gateway.tokenEncrypted) : null;
}

const GATEWAY_TOPICS = (id: string) => [topic.gateways, topic.gateway(id)];

/** A folder as the user typed it, resolved and checked; null to have none. */
async function transcriptFolderOf(value: string | null | undefined): Promise<string | null | undefined> {
  if (value === undefined) return undefined;
  return value && value.trim() ? checkTranscriptFolder(value.trim()) : null;
}

/** The URL's one spelling, once the outbound policy allows it (checked after resolving its name). */
async function allowedUrlKey(url: string): Promise<string> {
  const refused = await checkOutboundUrl(url.trim());
  if (refused) throw new DomainError(400, "url_refused", refused, "url");
  return normalizeGatewayUrl(url);
}

function alreadyRegistered(existing: Pick<Gateway, "id" | "name">): DomainError {
  return new DomainError(
    409,
    "gateway_exists",
    `This gateway is already registered as "${existing.name}" (/gateways/${existing.id}): open that one instead of adding it again, or a second copy would duplicate its agents, sessions and costs.`,
    "url",
    { existingGateway: { id: existing.id, name: existing.name, path: `/gateways/${existing.id}` } },
  );
}

/** The unique index on (org, normalized URL) caught a concurrent add: the same sentence as the check. */
async function refuseIfUrlTaken<T>(orgId: string, urlKey: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!isUniqueViolation(error, "gateways_org_url_key")) throw error;
    const existing = await queries.findGatewayByUrlKey(db().manager, { orgId, urlKey });
    throw alreadyRegistered(existing ?? { id: "", name: "another gateway" });
  }
}

export async function createGateway({ orgId, input, actor }: { orgId: string; input: GatewayInput; actor: Actor }) {
  const urlKey = await allowedUrlKey(input.url);
  const transcriptDir = (await transcriptFolderOf(input.transcriptDir)) ?? null;
  return refuseIfUrlTaken(orgId, urlKey, transaction(async (manager) => {
    const existing = await queries.findGatewayByUrlKey(manager, { orgId, urlKey });
    if (existing) throw alreadyRegistered(existing);
    const gateway = await queries.insertGateway(manager, {
      orgId,
      name: input.name.trim(),
      url: input.url.trim(),
      tokenEncrypted: input.token ? encryptSecret(input.token) : null,
      pollIntervalSeconds: input.pollIntervalSeconds ?? 30,
      state: "connecting",
      stateDetail: {},
      serverVersion: null,
      latencyMs: null,
      lastError: null,
      lastSeenAt: null,
      owner: null,
      lastPollAt: null,
      lastPollError: null,
      transcriptDir,
      urlKey,
      identity: null,
      duplicateOf: null,
    });
    await recordActivity(manager, { orgId, type: "gateway_created", message: `${actor.name} added the gateway ${gateway.name}`, actor, data: { gatewayId: gateway.id } });
    await publish(manager, { orgId, type: "gateway.created", topics: GATEWAY_TOPICS(gateway.id), data: { gateway: toApiGateway(gateway, { detailed: false }) } });
    return gateway;
  }));
}

/**
 * Writes the fields in `input` (an edit form sends only what the person changed). `expectedVersion`:
 * the version the edit was based on (the form's, an API `If-Match`); a gateway edited since is
 * refused with a StaleVersionError carrying the stored gateway and nothing is written (ADR 017).
 * The version counts edits by people; the connection's own state writes do not bump it (ADR 017).
 */
export async function updateGateway({
  orgId,
  id,
  input,
  actor,
  expectedVersion,
}: {
  orgId: string;
  id: string;
  input: Partial<GatewayInput>;
  actor: Actor;
  expectedVersion?: number;
}) {
  const urlKey = input.url === undefined ? undefined : await allowedUrlKey(input.url);
  const transcriptDir = await transcriptFolderOf(input.transcriptDir);
  return refuseIfUrlTaken(orgId, urlKey ?? "", transaction(async (manager) => {
    const gateway = await queries.findGateway(manager, { orgId, id, lock: true });
    if (!gateway) throw new DomainError(404, "not_found", "That gateway does not exist in this organization.");
    assertVersion("gateway", gateway, expectedVersion, () => ({ ...gateway }));
    const stored = { ...gateway };
    // A stored token never follows a change of origin: pointed at a listener, the next connect would
    // hand "never shown again" to whoever runs it. Checked before anything is written.
    if (input.url !== undefined && gateway.tokenEncrypted && input.token === undefined && !sameGatewayOrigin(gateway.url, input.url)) {
      throw new DomainError(422, "token_required", "The URL points to another host: enter the gateway's token again (the stored token is only sent where it was stored), or remove it.", "token");
    }
    const changed: string[] = [];
    if (input.name !== undefined && input.name.trim() !== gateway.name) (gateway.name = input.name.trim()), changed.push("name");
    if (input.url !== undefined && urlKey !== undefined && input.url.trim() !== gateway.url) {
      const existing = await queries.findGatewayByUrlKey(manager, { orgId, urlKey, exceptId: id });
      if (existing) throw alreadyRegistered(existing);
      gateway.url = input.url.trim();
      gateway.urlKey = urlKey;
      // a new address is a new chance: whoever it reaches says who it is on its next connect
      gateway.duplicateOf = null;
      gateway.identity = null;
      changed.push("url");
    }
    if (input.pollIntervalSeconds !== undefined && input.pollIntervalSeconds !== gateway.pollIntervalSeconds) {
      gateway.pollIntervalSeconds = input.pollIntervalSeconds;
      changed.push("poll interval");
    }
    if (transcriptDir !== undefined && transcriptDir !== gateway.transcriptDir) {
      gateway.transcriptDir = transcriptDir;
      changed.push(transcriptDir ? "transcript folder" : "transcript folder removed");
    }
    if (input.token !== undefined) {
      gateway.tokenEncrypted = input.token ? encryptSecret(input.token) : null;
      changed.push(input.token ? "token" : "token removed");
    }
    if (changed.length === 0) return gateway;
    if (changed.some((field) => field === "url" || field.startsWith("token"))) {
      gateway.state = "connecting";
      gateway.lastError = null;
    }
    const version = await claimRowVersion(manager, "gateways", { orgId, id, expected: expectedVersion ?? null });
    if (version === null) throw new StaleVersionError("gateway", stored);
    gateway.version = version;
    const saved = await queries.saveGateway(manager, gateway);
    await recordActivity(manager, {
      orgId,
      type: "gateway_updated",
      message: `${actor.name} updated the gateway ${saved.name} (${changed.join(", ")})`,
      actor,
      data: { gatewayId: id, fields: changed },
    });
    await publish(manager, { orgId, type: "gateway.updated", topics: GATEWAY_TOPICS(id), data: { gateway: toApiGateway(saved, { detailed: false }) } });
    return saved;
  }));
}

export async function deleteGateway({ orgId, id, actor }: { orgId: string; id: string; actor: Actor }) {
  return transaction(async (manager) => {
    const gateway = await queries.findGateway(manager, { orgId, id });
    if (!gateway) throw new DomainError(404, "not_found", "That gateway does not exist in this organization.");
    const duplicates = await queries.selectDuplicatesOf(manager, id);
    await queries.deleteGatewayRow(manager, id);
    // the oldest copy left of this gateway becomes the gateway (its URL key freed by the delete)
    const [next, ...others] = duplicates;
    if (next) await queries.promoteDuplicate(manager, { id: next.id, urlKey: next.urlKey ?? gateway.urlKey, others: others.map((o) => o.id) });
    await recordActivity(manager, {
      orgId,
      type: "gateway_deleted",
      message: `${actor.name} removed the gateway ${gateway.name} (its agents stay, marked offline)`,
      actor,
      data: { gatewayId: id },
    });
    await markOrphanedGatewayAgentsOffline(manager, orgId);
    await publish(manager, { orgId, type: "gateway.deleted", topics: GATEWAY_TOPICS(id), data: { gatewayId: id } });
  });
}

/**
 * "Retry now": asks whichever process owns the gateway to try connecting at once instead of at the
 * end of its backoff (the runtime follows `gateway.retry` on the live stream; NOTIFY reaches every
 * replica). Nothing about the gateway changes, so nothing else is written.
 */
export async function requestGatewayRetry({ orgId, id }: { orgId: string; id: string }) {
  return transaction(async (manager) => {
    const gateway = await queries.findGateway(manager, { orgId, id });
    if (!gateway) throw new DomainError(404, "not_found", "That gateway does not exist in this organization.");
    if (gateway.state === "online") throw new DomainError(409, "already_online", "The gateway is online already; there is nothing to retry.");
    await publish(manager, { orgId, type: "gateway.retry", topics: GATEWAY_TOPICS(id), data: { gatewayId: id } });
  });
}

export interface GatewayStatusUpdate {
  state: GatewayStateName;
  serverVersion: string | null;
  latencyMs: number | null;
  lastError: string | null;
  lastSeenAt: Date | null;
  owner: string | null;
  detail: Record<string, unknown>;
}

export interface GatewayFigures {
  latencyMs: number | null;
  latencyP50Ms: number | null;
  lastSeenAt: Date | null;
}

/**
 * The owner's live figures of an online gateway (every few pongs): latency, its median and when the
 * gateway was last heard from, announced as `gateway.status` so open pages follow. No activity row.
 */
export async function recordGatewayFigures(id: string, figures: GatewayFigures) {
  return transaction(async (manager) => {
    const written = await queries.updateGatewayFigures(manager, { id, ...figures });
    if (!written) return null;
    const gateway = (await queries.findGateway(manager, { id }))!;
    await publish(manager, { orgId: gateway.orgId, type: "gateway.status", topics: GATEWAY_TOPICS(id), data: { gateway: toApiGateway(gateway, { detailed: false }) } });
    return gateway;
  });
}

/** Written by the process that owns the connection whenever its state changes. */
export async function recordGatewayStatus(id: string, update: GatewayStatusUpdate) {
  return transaction(async (manager) => {
    // locked: the save below writes every column that differs from the row, so a person's edit that
    // committed after an unlocked read would be written back (and its version moved back with it)
    const gateway = await queries.findGateway(manager, { id, lock: true });
    if (!gateway) return null;
    const stateChanged = gateway.state !== update.state;
    // when the state began, as this installation saw it (kept across writes of the same state)
    const stateSince = stateChanged || typeof gateway.stateDetail.stateSince !== "number" ? Date.now() : gateway.stateDetail.stateSince;
    gateway.state = update.state;
    gateway.serverVersion = update.serverVersion ?? gateway.serverVersion;
    gateway.latencyMs = update.latencyMs;
    gateway.lastError = update.lastError;
    gateway.lastSeenAt = update.lastSeenAt ?? gateway.lastSeenAt;
    gateway.owner = update.owner;
    gateway.stateDetail = { ...update.detail, stateSince };
    const saved = await queries.saveGateway(manager, gateway);
    if (stateChanged) {
      await recordActivity(manager, {
        orgId: gateway.orgId,
        type: "gateway_status_changed",
        // every member reads the feed: the raw error (it names the URL) stays on the gateway page for admins (ADR 019)
        message: `Gateway ${gateway.name} is ${update.state}`,
        actor: { type: "system", id: null, name: "System" },
        data: { gatewayId: id, state: update.state },
      });
    }
    await publish(manager, { orgId: gateway.orgId, type: "gateway.status", topics: GATEWAY_TOPICS(id), data: { gateway: toApiGateway(saved, { detailed: false }) } });
    return saved;
  });
}

/**
 * What the browser and the API see: never the token, only whether one is set. Where the gateway is
 * (URL, device id, transcript folder) and what it said went wrong (raw errors, pairing commands) is
 * for admins and owners (`detailed`); members and viewers see its name, state and figures (ADR 019).
 */
export interface GatewayView extends GatewayFiguresView {
  id: string;
  name: string;
  tokenSet: boolean;
  state: GatewayStateName;
  duplicateOf: string | null;
  createdAt: number;
  updatedAt: number;
  // admins and owners only
  url?: string;
  lastError?: string | null;
  lastPollError?: string | null;
  transcriptDir?: string | null;
  pairing?: { deviceId?: string; approveCommand?: string } | null;
  deviceId?: string | null;
}

export function toApiGateway(gateway: Gateway, { detailed }: { detailed: boolean }): GatewayView {
  const detail = gateway.stateDetail;
  const figure = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : null);
  const base: GatewayView = {
    id: gateway.id,
    name: gateway.name,
    tokenSet: Boolean(gateway.tokenEncrypted),
    pollIntervalSeconds: gateway.pollIntervalSeconds,
    state: gateway.state,
    stateSince: figure(detail.stateSince),
    serverVersion: gateway.serverVersion,
    latencyMs: gateway.latencyMs,
    latencyP50Ms: figure(detail.latencyP50Ms),
    lastSeenAt: gateway.lastSeenAt ? gateway.lastSeenAt.getTime() : null,
    lastPollAt: gateway.lastPollAt ? gateway.lastPollAt.getTime() : null,
    pollFailed: Boolean(gateway.lastPollError),
    duplicateOf: gateway.duplicateOf,
    createdAt: gateway.createdAt.getTime(),
    updatedAt: gateway.updatedAt.getTime(),
  };
  if (!detailed) return base;
  return {
    ...base,
    url: gateway.url,
    lastError: gateway.lastError,
    lastPollError: gateway.lastPollError,
    transcriptDir: gateway.transcriptDir,
    pairing: (detail.pairing as { deviceId?: string; approveCommand?: string } | undefined) ?? null,
    deviceId: (detail.deviceId as string | undefined) ?? null,
  };
}

/** Admins and owners see where a gateway is and its raw errors (ADR 019). */
export function seesGatewayDetails(role: Role): boolean {
  return roleAtLeast(role, "admin");
}

/**
 * What the gateway said it is (gateway.identity.get), on connect. The same gateway registered
 * twice in an organization (two URLs that reach it: a name and an address, a proxy) answers the
 * same identity: the later row is marked `duplicateOf` the one that holds it, and nothing is
 * ingested for it (its agents, sessions and costs would be counted twice). Answers the row that
 * holds the identity when it is another one.
 */
export async function claimGatewayIdentity({ id, identity }: { id: string; identity: string }): Promise<{ duplicateOf: Pick<Gateway, "id" | "name"> | null }> {
  const attempt = () =>
    transaction(async (manager) => {
      const gateway = await queries.findGateway(manager, { id, lock: true });
      if (!gateway) return { duplicateOf: null };
      const holder = await queries.findGatewayByIdentity(manager, { orgId: gateway.orgId, identity, exceptId: id });
      if (!holder) {
        if (gateway.identity !== identity) await queries.saveGateway(manager, Object.assign(gateway, { identity }));
        return { duplicateOf: null };
      }
      gateway.duplicateOf = holder.id;
      gateway.identity = null;
      gateway.state = "offline";
      gateway.lastError = `This is the same gateway as "${holder.name}" (/gateways/${holder.id}); its agents and sessions are recorded there. Delete this copy.`;
      const saved = await queries.saveGateway(manager, gateway);
      await recordActivity(manager, {
        orgId: gateway.orgId,
        type: "gateway_status_changed",
        message: `Gateway ${gateway.name} is the same gateway as ${holder.name}; nothing is recorded for the copy`,
        actor: { type: "system", id: null, name: "System" },
        data: { gatewayId: id, duplicateOf: holder.id },
      });
      await publish(manager, { orgId: gateway.orgId, type: "gateway.status", topics: GATEWAY_TOPICS(id), data: { gateway: toApiGateway(saved, { detailed: false }) } });
      return { duplicateOf: { id: holder.id, name: holder.name } };
    });
  try {
    return await attempt();
  } catch (error) {
    // two rows of one gateway connected at once: the index let the other claim it first
    if (isUniqueViolation(error, "gateways_org_identity_key")) return attempt();
    throw error;
  }
}
