/*
 * OpenClaw gateway client (protocol 4). A library: it imports nothing from the app, only node
 * built-ins and `ws`, and is tested against recorded frames and, in the contract suite, against a
 * real gateway.
 */
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
export {
  GatewayConnection,
  isSettled,
  type GatewayConnectionOptions,
  type GatewayLogger,
  type GatewayState,
  type GatewayStatus,
} from "./connection";
export {
  ConnectionLostError,
  GatewayError,
  GatewayRequestError,
  MethodUnavailableError,
  NotConnectedError,
  RequestTimeoutError,
} from "./errors";
export { PROTOCOL_VERSION, type EventFrame, type HelloOk } from "./frames";
export { classifyConnectError, OPERATOR_SCOPES, type ConnectFailure, type PairingInfo } from "./handshake";
export {
  deserializeDeviceIdentity,
  deviceIdFromPublicKey,
  generateDeviceIdentity,
  serializeDeviceIdentity,
  type DeviceIdentity,
  type StoredDeviceIdentity,
} from "./identity";
export * from "./methods";
export { probeGateway, type ProbeResult } from "./probe";
