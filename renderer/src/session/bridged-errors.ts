import { type HubClient, HubClientError } from '../../../src/client/hub-client';

/**
 * The desktop app's client crosses Electron's contextBridge, which cannot carry an Error subclass:
 * its calls reject with a plain `{ name: 'HubClientError', code, message }` instead (see
 * electron/ipc/hub-ipc-bridge.ts). This rebuilds real HubClientErrors from those, so the rest of
 * the UI handles both transports' failures alike.
 */
export function asHubClientError(error: unknown): unknown {
  if (error instanceof HubClientError || typeof error !== 'object' || error === null) return error;
  const { code, message, status } = error as { code?: unknown; message?: unknown; status?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return error;
  return new HubClientError(code, message, typeof status === 'number' ? status : undefined);
}

type AnyMethod = (...args: unknown[]) => unknown;

export function withHubClientErrors(client: HubClient): HubClient {
  const wrapped: Record<string, unknown> = {};
  // Own properties only: that is all contextBridge hands over, and all a client needs.
  for (const [key, value] of Object.entries(client)) {
    if (typeof value !== 'function' || key === 'subscribe') {
      wrapped[key] = value;
      continue;
    }
    const method = value as AnyMethod;
    wrapped[key] = async (...args: unknown[]) => {
      try {
        return await method.apply(client, args);
      } catch (error) {
        throw asHubClientError(error);
      }
    };
  }
  wrapped.subscribe = client.subscribe.bind(client);
  return wrapped as unknown as HubClient;
}
