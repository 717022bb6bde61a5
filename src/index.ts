/** The hub's public API: what the Electron shell and embedders may import. */
export { defaultDataDir, type HubConfig, type HubConfigInput, parseHubConfig } from './config.js';
export { type ErrorCode, HubError } from './errors.js';
export { createHub, type Hub, type HubStats } from './hub.js';
export type { LanDiagnostics, PeerHub, PublicHubIdentity } from './net/lan/types.js';
export { HubService } from './service/hub-service.js';
export { VERSION } from './version.js';
