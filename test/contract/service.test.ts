import { createServiceHubClient } from '../../src/client/service-hub-client.js';
import { describeHubClientContract } from './hub-client-contract.js';

/** The in-process HubClient (what Electron's main process serves over IPC) against the same contract. */
describeHubClientContract('service', async (hub) => createServiceHubClient(hub.hub));
