import { Initial1732250000000 } from "./1732250000000-initial";
import { EventLog1732260000000 } from "./1732260000000-event-log";
import { Gateways1732270000000 } from "./1732270000000-gateways";
import { AgentSessions1732280000000 } from "./1732280000000-agent-sessions";
import { SessionActivityIndex1732290000000 } from "./1732290000000-session-activity-index";
import { GatewayTranscriptDir1732300000000 } from "./1732300000000-gateway-transcript-dir";
import { SessionUsage1732310000000 } from "./1732310000000-session-usage";
import { TaskPagingIndex1732320500000 } from "./1732320500000-task-paging-index";
import { RowVersions1732400000000 } from "./1732400000000-row-versions";
import { OneGatewayOnce1732410000000 } from "./1732410000000-one-gateway-once";
import { ApiTokenRoleExpiry1732440000000 } from "./1732440000000-api-token-role-expiry";
import { UsageRollups1732450000000 } from "./1732450000000-usage-rollups";

/** Every migration, oldest first. Bundled into the server build so `node build/server.js` applies them. */
export const MIGRATIONS = [Initial1732250000000, EventLog1732260000000, Gateways1732270000000, AgentSessions1732280000000, SessionActivityIndex1732290000000, GatewayTranscriptDir1732300000000, SessionUsage1732310000000, TaskPagingIndex1732320500000, RowVersions1732400000000, OneGatewayOnce1732410000000, ApiTokenRoleExpiry1732440000000, UsageRollups1732450000000];
