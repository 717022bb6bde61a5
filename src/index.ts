/** The hub's public API: what the Electron shell and embedders may import. */
export type { KeyProtection, KeyProtector } from './auth/key-protector.js';
export * from './client/hub-client.js';
export { createServiceHubClient } from './client/service-hub-client.js';
export { defaultDataDir, type HubConfig, type HubConfigInput, parseHubConfig } from './config.js';
export { type ErrorCode, HubError } from './errors.js';
export { type CreateHubOptions, createHub, type Hub, type HubStats } from './hub.js';
export type { Logger } from './log.js';
export type { LanDiagnostics, PeerHub, PublicHubIdentity } from './net/lan/types.js';
export type { HubChangesListener } from './service/hub-events.js';
export { HubService } from './service/hub-service.js';
export { VERSION } from './version.js';
