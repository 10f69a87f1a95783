import WebSocket from "ws";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
import { formatMs, GatewayRequestError, MethodUnavailableError, NotConnectedError } from "./errors";
import {
  PROTOCOL_VERSION,
  parseInboundFrame,
  readChallenge,
  readHelloOk,
  type ClientInfo,
  type EventFrame,
  type HelloOk,
  type ResponseFrame,
} from "./frames";
import {
  buildConnectParams,
  classifyConnectError,
  OPERATOR_SCOPES,
  type ConnectCredentials,
  type ConnectFailure,
} from "./handshake";
import type { DeviceIdentity } from "./identity";
import { LatencyWindow, LinkMonitor } from "./liveness";
import { GatewayApi, type GatewayRequester, type RequestOptions } from "./methods";
import { PendingRequests } from "./pending";
import { describeClose, initialStatus, type GatewayState, type GatewayStatus } from "./status";

export { isSettled, type GatewayState, type GatewayStatus } from "./status";

/*
 * One persistent WebSocket to one gateway: handshake, request/response correlation, events,
 * dead-link detection and reconnects. See docs/decisions/005-gateway-connection.md for why the
 * socket is kept open rather than opened per call.
 */

export interface GatewayLogger {
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface GatewayConnectionOptions extends ConnectCredentials {
  /** ws:// or wss:// */
  url: string;
  identity: DeviceIdentity;
  client?: Partial<Pick<ClientInfo, "version" | "displayName" | "platform" | "deviceFamily">>;
  scopes?: readonly string[];
  /** default per-request timeout (default 15 s) */
  requestTimeoutMs?: number;
  /** from opening the socket to hello-ok (default 10 s) */
  connectTimeoutMs?: number;
  /** overrides hello-ok's policy.tickIntervalMs (tests) */
  tickIntervalMs?: number;
  /** the link is dead after this many tick intervals without any frame or pong (default 2) */
  deadAfterTicks?: number;
  /** false: never reconnect by itself (probes, tests) */
  reconnect?: Partial<BackoffOptions> | false;
  /** random source for the backoff jitter (tests) */
  random?: () => number;
  logger?: GatewayLogger;
  /**
   * Where the app allows connecting to (handed in, this library knows no policy): `refuseUrl`
   * answers a sentence for a URL that may not be opened at all; `lookup` replaces dns.lookup for
   * the socket, so the addresses checked are the ones connected to (its error's code
   * OUTBOUND_REFUSED marks a refusal, whose message is shown as it is).
   */
  outbound?: { refuseUrl(url: string): string | null; lookup?: unknown };
}

type EventListener = (frame: EventFrame) => void;
type StatusListener = (status: GatewayStatus, previous: GatewayStatus) => void;
type FiguresListener = (status: GatewayStatus) => void;

/** Status fields that move on every sign of life; they reach onFigures, not onStatusChange. */
const FIGURES: ReadonlySet<keyof GatewayStatus> = new Set(["latencyMs", "latencyP50Ms", "lastSeenAt"]);

const DEFAULT_TICK_MS = 30_000;

/*
 * Methods a gateway answers though its hello-ok does not list them (seen on 2026.9.6: sessions.usage
 * answers ok, with every session's usage, but is missing from features.methods). A gateway that
 * really lacks one answers with an error, which the caller records like any failed call.
 */
const UNADVERTISED_METHODS: ReadonlySet<string> = new Set(["sessions.usage"]);

export class GatewayConnection implements GatewayRequester {
  /** typed wrappers for the methods Mission Control uses */
  readonly api: GatewayApi;

  private readonly options: GatewayConnectionOptions;
  private readonly backoff: BackoffOptions | null;
  private readonly logger: GatewayLogger;
  private current: GatewayStatus;
  private hello: HelloOk | null = null;
  private methodSet: Set<string> | null = null;
  /** unadvertised methods this gateway answered "unknown method" to, since its last hello */
  private refusedUnadvertised = new Set<string>();

  private ws: WebSocket | null = null;
  private generation = 0;
  private readonly pending = new PendingRequests();
  private readonly eventListeners = new Set<EventListener>();
  private readonly namedListeners = new Map<string, Set<EventListener>>();
  private readonly statusListeners = new Set<StatusListener>();
  private readonly figuresListeners = new Set<FiguresListener>();
  private readonly latencies = new LatencyWindow();

  // per-socket bookkeeping
  private failure: ConnectFailure | null = null;
  private socketError: { code: string; message: string } | null = null;
  private handshakeTimer: NodeJS.Timeout | null = null;
  private monitor: LinkMonitor | null = null;

  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private closeWaiters: Array<() => void> = [];

  constructor(options: GatewayConnectionOptions) {
    this.options = options;
    this.backoff = options.reconnect === false ? null : { ...DEFAULT_BACKOFF, ...options.reconnect };
    this.logger = options.logger ?? { warn: (message, meta) => console.warn(`[gateway] ${message}`, meta ?? "") };
    this.api = new GatewayApi(this);
    this.current = initialStatus(options.url, options.identity.deviceId);
  }

  /** Starts connecting; the connection then keeps itself up until close(). */
  start(): this {
    if (this.stopped) throw new Error("This gateway connection was closed; create a new one.");
    if (this.current.state === "idle") {
      this.update({ state: "connecting" });
      this.openSocket();
    }
    return this;
  }

  /** Connects again now, resetting the backoff: after the token changed, or from a terminal state. */
  reconnectNow(): void {
    if (this.stopped) throw new Error("This gateway connection was closed; create a new one.");
    this.clearReconnectTimer();
    this.update({ reconnectAttempt: 0, nextReconnectAt: null, reconnectDelayMs: null });
    if (this.ws) return; // an attempt is already under way, or the link is up
    this.update({ state: "connecting" });
    this.openSocket();
  }

  /** Stops reconnecting, fails waiting requests, and resolves once the socket is closed. */
  close(): Promise<void> {
    this.stopped = true;
    this.clearReconnectTimer();
    const ws = this.ws;
    if (!ws) {
      this.update({ state: "closed", nextReconnectAt: null, reconnectDelayMs: null });
      return Promise.resolve();
    }
    const closed = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    this.pending.failAll("Mission Control closed the connection");
    if (ws.readyState === WebSocket.OPEN) {
      ws.close(1000, "closing");
      // a peer that never answers the close frame must not hold us up
      setTimeout(() => ws.terminate(), 2_000).unref();
    } else {
      ws.terminate();
    }
    return closed;
  }

  get status(): GatewayStatus {
    return { ...this.current };
  }

  /** The last hello-ok (server version, features, policy, auth.deviceToken); null before the first. */
  get helloOk(): HelloOk | null {
    return this.hello;
  }

  /** Methods the gateway announced in its last hello-ok. */
  get methods(): readonly string[] {
    return this.hello?.features.methods ?? [];
  }

  hasMethod(method: string): boolean {
    if (this.methodSet?.has(method)) return true;
    return this.methodSet !== null && UNADVERTISED_METHODS.has(method) && !this.refusedUnadvertised.has(method);
  }

  /** Every gateway event (tick included), or only the events named `event`. Returns an unsubscribe. */
  onEvent(listener: EventListener): () => void;
  onEvent(event: string, listener: EventListener): () => void;
  onEvent(eventOrListener: string | EventListener, maybeListener?: EventListener): () => void {
    if (typeof eventOrListener === "function") {
      this.eventListeners.add(eventOrListener);
      return () => this.eventListeners.delete(eventOrListener);
    }
    const listener = maybeListener!;
    let set = this.namedListeners.get(eventOrListener);
    if (!set) this.namedListeners.set(eventOrListener, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Called when the state or its details change (error, pairing, reconnect schedule), not for
   * latency or last-seen updates, which the status getter always has fresh.
   */
  onStatusChange(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Called on every measured round trip (a pong, every half tick) with the fresh latency figures and
   * last-seen time, so a reader can keep them current without hearing of every frame.
   */
  onFigures(listener: FiguresListener): () => void {
    this.figuresListeners.add(listener);
    return () => this.figuresListeners.delete(listener);
  }

  /** Resolves with the status once `until` holds (checked now and on every status change). */
  waitFor(until: GatewayState | ((status: GatewayStatus) => boolean), timeoutMs = 30_000): Promise<GatewayStatus> {
    const matches = typeof until === "function" ? until : (status: GatewayStatus) => status.state === until;
    if (matches(this.current)) return Promise.resolve(this.status);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        const wanted = typeof until === "string" ? `"${until}"` : "the expected state";
        const { state, lastError } = this.current;
        reject(new Error(`The gateway did not reach ${wanted} within ${formatMs(timeoutMs)}; it is ${state}${lastError ? `: ${lastError}` : ""}`));
      }, timeoutMs);
      const unsubscribe = this.onStatusChange((status) => {
        if (!matches(status)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve({ ...status });
      });
    });
  }

  /** Sends a WebSocket ping and resolves with the round trip in ms. */
  async measureLatency(timeoutMs = this.options.requestTimeoutMs ?? 15_000): Promise<number> {
    if (this.current.state !== "online" || !this.monitor) {
      throw new NotConnectedError("a latency check", this.current.state, this.current.lastError);
    }
    // the pong handler records the sample and tells the figures listeners
    return this.monitor.measure(timeoutMs);
  }

  request<T = unknown>(method: string, params: Record<string, unknown> = {}, options: RequestOptions = {}): Promise<T> {
    const ws = this.ws;
    if (this.current.state !== "online" || !ws) {
      return Promise.reject(new NotConnectedError(method, this.current.state, this.current.lastError));
    }
    if (this.methodSet && !this.hasMethod(method)) {
      return Promise.reject(new MethodUnavailableError(method, this.current.serverVersion));
    }
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 15_000;
    const answer = this.pending.add<T>(method, timeoutMs, (id, failed) =>
      ws.send(JSON.stringify({ type: "req", id, method, params }), (error) => error && failed(error)),
    );
    if (this.methodSet?.has(method)) return answer;
    // An unadvertised method this gateway turns out not to know: unavailable, and not asked again
    // until the next hello.
    return answer.catch((error: unknown) => {
      if (error instanceof GatewayRequestError && /unknown method/i.test(error.message)) {
        this.refusedUnadvertised.add(method);
        throw new MethodUnavailableError(method, this.current.serverVersion);
      }
      throw error;
    });
  }

  // ---- socket lifecycle ----

  private openSocket() {
    const generation = ++this.generation;
    this.failure = null;
    this.socketError = null;
    let connectId: string | null = null;
    let connectSentAt = 0;

    const refused = this.options.outbound?.refuseUrl(this.options.url);
    if (refused) {
      // the URL itself cannot change under us: no retry until the gateway is edited
      this.update({ state: "offline", lastError: refused, lastErrorCode: "OUTBOUND_REFUSED", onlineSince: null, nextReconnectAt: null, reconnectDelayMs: null });
      return;
    }
    const lookup = this.options.outbound?.lookup;
    const ws = new WebSocket(this.options.url, { perMessageDeflate: false, ...(lookup ? { lookup: lookup as never } : {}) });
    this.ws = ws;
    const connectTimeoutMs = this.options.connectTimeoutMs ?? 10_000;
    this.handshakeTimer = setTimeout(() => {
      this.failure = {
        state: "offline",
        code: "HANDSHAKE_TIMEOUT",
        retry: true,
        // before its challenge it is not known to be a gateway at all: the same sentence as any failed connect
        message:
          connectId === null
            ? `Could not connect to the gateway at ${this.options.url}. Check that it is running and that this host can reach it.`
            : `The gateway at ${this.options.url} did not complete the handshake within ${formatMs(connectTimeoutMs)}.`,
      };
      ws.terminate();
    }, connectTimeoutMs);

    ws.on("error", (error: NodeJS.ErrnoException) => {
      if (generation !== this.generation) return;
      this.socketError = { code: error.code ?? "SOCKET_ERROR", message: error.message };
    });

    ws.on("close", (code: number, reason: Buffer) => {
      if (generation !== this.generation) return;
      this.onSocketClosed(code, reason.toString());
    });

    ws.on("pong", (data: Buffer) => {
      if (generation !== this.generation) return;
      const now = Date.now();
      this.current.lastSeenAt = now;
      const latencyMs = this.monitor?.pong(data, now);
      if (latencyMs == null) return;
      const { last, p50 } = this.latencies.add(latencyMs);
      this.update({ latencyMs: last, latencyP50Ms: p50, lastSeenAt: now });
    });

    ws.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
      if (generation !== this.generation || isBinary) return;
      this.current.lastSeenAt = Date.now();
      const frame = parseInboundFrame(data.toString());
      if (!frame) return;

      if (this.current.state !== "online") {
        // handshake: challenge -> connect -> hello-ok
        if (frame.type === "event" && frame.event === "connect.challenge" && connectId === null) {
          const challenge = readChallenge(frame);
          if (!challenge) {
            this.failHandshake(ws, "BAD_CHALLENGE", "The gateway sent a connect challenge this client cannot read.");
            return;
          }
          connectId = `connect-${generation}`;
          const params = buildConnectParams({
            challenge,
            identity: this.options.identity,
            credentials: { token: this.options.token, deviceToken: this.options.deviceToken },
            client: this.clientInfo(),
            scopes: this.options.scopes ?? OPERATOR_SCOPES,
          });
          connectSentAt = Date.now();
          ws.send(JSON.stringify({ type: "req", id: connectId, method: "connect", params }));
          return;
        }
        if (frame.type === "res" && frame.id === connectId) this.onConnectResponse(ws, frame, connectSentAt);
        return;
      }

      if (frame.type === "res") {
        this.pending.settle(frame); // false for an answer after its timeout: dropped
        return;
      }
      this.deliver(frame);
    });
  }

  private onConnectResponse(ws: WebSocket, frame: ResponseFrame, connectSentAt: number) {
    if (!frame.ok) {
      this.failure = classifyConnectError(frame.error, this.options.identity.deviceId);
      ws.close(1000, "connect refused");
      return;
    }
    const hello = readHelloOk(frame.payload);
    if (!hello) {
      this.failHandshake(ws, "BAD_HELLO", "The gateway accepted the connection but its hello-ok is not one this client understands.");
      return;
    }
    if (hello.protocol !== PROTOCOL_VERSION) {
      this.failure = {
        state: "protocol-mismatch",
        code: "PROTOCOL_MISMATCH",
        retry: false,
        message: `The gateway negotiated protocol ${hello.protocol}; Mission Control speaks ${PROTOCOL_VERSION}. Update OpenClaw or Mission Control so they match.`,
      };
      ws.close(1000, "protocol mismatch");
      return;
    }
    this.clearHandshakeTimer();
    const now = Date.now();
    this.hello = hello;
    this.latencies.clear();
    this.methodSet = new Set(hello.features.methods);
    this.refusedUnadvertised = new Set();
    this.update({
      state: "online",
      serverVersion: hello.server.version,
      protocol: hello.protocol,
      // until the first pong, the connect round trip is the best latency figure there is
      latencyMs: now - connectSentAt,
      latencyP50Ms: null,
      lastError: null,
      lastErrorCode: null,
      lastSeenAt: now,
      onlineSince: now,
      pairing: null,
      reconnectAttempt: 0,
      nextReconnectAt: null,
      reconnectDelayMs: null,
    });
    this.startLiveness(ws);
  }

  private failHandshake(ws: WebSocket, code: string, message: string) {
    this.failure = { state: "offline", code, retry: true, message };
    ws.terminate();
  }

  private onSocketClosed(code: number, reason: string) {
    this.clearHandshakeTimer();
    const lost = this.socketError?.message ?? describeClose(code, reason);
    this.monitor?.stop(lost);
    this.monitor = null;
    this.ws = null;
    this.pending.failAll(lost);

    if (this.stopped) {
      this.update({ state: "closed", nextReconnectAt: null, reconnectDelayMs: null });
      for (const resolve of this.closeWaiters.splice(0)) resolve();
      return;
    }

    const failure: ConnectFailure = this.failure ?? {
      state: "offline",
      code: this.socketError?.code ?? `CLOSE_${code}`,
      retry: true,
      message: this.describeDrop(code, reason),
    };
    // one update, so listeners see the new state together with its retry schedule
    this.update({
      state: failure.state,
      lastError: failure.message,
      lastErrorCode: failure.code,
      pairing: failure.state === "pairing-required" ? failure.pairing : null,
      onlineSince: null,
      ...(failure.retry ? this.scheduleReconnect(failure.state === "offline" ? failure.retryAfterMs : undefined) : {}),
    });
  }

  private describeDrop(code: number, reason: string): string {
    const url = this.options.url;
    if (this.socketError) {
      if (this.socketError.code === "OUTBOUND_REFUSED") return this.socketError.message;
      // One sentence whatever the socket said: "refused", "reset", "unexpected response 400" and
      // "timed out" would tell whoever can add a gateway which ports are open on internal hosts.
      this.logger.warn("could not connect to the gateway", { url, code: this.socketError.code, error: this.socketError.message });
      return `Could not connect to the gateway at ${url}. Check that it is running and that this host can reach it.`;
    }
    return `The gateway at ${url} closed the connection (${describeClose(code, reason)}).`;
  }

  /** Arms the reconnect timer and returns the status fields that describe it. */
  private scheduleReconnect(minimumDelayMs?: number): Partial<GatewayStatus> {
    if (!this.backoff || this.stopped) return { nextReconnectAt: null, reconnectDelayMs: null };
    const attempt = this.current.reconnectAttempt;
    const delay = Math.max(minimumDelayMs ?? 0, backoffDelay(attempt, this.backoff, this.options.random));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.update({ nextReconnectAt: null, reconnectDelayMs: null });
      if (!this.stopped && !this.ws) this.openSocket();
    }, delay);
    return { reconnectAttempt: attempt + 1, nextReconnectAt: Date.now() + delay, reconnectDelayMs: delay };
  }

  // ---- liveness (see liveness.ts) ----

  private startLiveness(ws: WebSocket) {
    const fromPolicy = this.hello?.policy.tickIntervalMs;
    const tick = this.options.tickIntervalMs ?? (typeof fromPolicy === "number" && fromPolicy > 0 ? fromPolicy : DEFAULT_TICK_MS);
    this.monitor = new LinkMonitor(ws, {
      tickIntervalMs: tick,
      deadAfterMs: tick * (this.options.deadAfterTicks ?? 2),
      lastSeenAt: () => this.current.lastSeenAt,
      onDead: (silentFor) => {
        this.failure = {
          state: "offline",
          code: "DEAD_LINK",
          retry: true,
          message: `No sign of life from the gateway for ${formatMs(silentFor)} (it should tick every ${formatMs(tick)}); reconnecting.`,
        };
        ws.terminate();
      },
    });
    this.monitor.start();
  }

  // ---- helpers ----

  private deliver(frame: EventFrame) {
    const listeners = [...this.eventListeners, ...(this.namedListeners.get(frame.event) ?? [])];
    for (const listener of listeners) {
      try {
        listener(frame);
      } catch (error) {
        this.logger.warn(`a listener for the gateway event "${frame.event}" threw`, { error: String(error) });
      }
    }
  }

  /**
   * Applies a change. Status listeners hear of it unless nothing but the figures (latency, last
   * seen) moved; figures listeners hear of every change to those.
   */
  private update(patch: Partial<GatewayStatus>) {
    const previous = this.current;
    this.current = { ...previous, ...patch };
    const moved = (Object.keys(patch) as Array<keyof GatewayStatus>).filter((key) => patch[key] !== previous[key]);
    if (moved.length === 0) return;
    const snapshot = this.status;
    if (moved.some((key) => !FIGURES.has(key))) this.notify(this.statusListeners, (listener) => listener(snapshot, previous), "a gateway state listener threw");
    else this.notify(this.figuresListeners, (listener) => listener(snapshot), "a gateway figures listener threw");
  }

  private notify<L>(listeners: Set<L>, call: (listener: L) => void, what: string) {
    for (const listener of [...listeners]) {
      try {
        call(listener);
      } catch (error) {
        this.logger.warn(what, { error: String(error) });
      }
    }
  }

  private clientInfo(): ClientInfo {
    const client = this.options.client ?? {};
    return {
      id: "gateway-client",
      mode: "ui",
      version: client.version ?? "0.1.0",
      platform: client.platform ?? process.platform,
      displayName: client.displayName ?? "Mission Control",
      ...(client.deviceFamily ? { deviceFamily: client.deviceFamily } : {}),
    };
  }

  private clearHandshakeTimer() {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }

  private clearReconnectTimer() {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}
