/**
 * Shapes the preload's HubClient for contextBridge.exposeInMainWorld.
 *
 * contextBridge copies values between the preload's world and the page's: functions are proxied,
 * plain objects are copied property by property (own properties only, so a class's methods would
 * vanish), and an Error is rebuilt from its message alone: a rejected HubClientError would reach
 * the page as a bare Error without its code. So every method here rejects with a plain object
 * instead, `{ name: 'HubClientError', code, message }`, which arrives whole; the page can branch on
 * `code` and show `message`, or rebuild its own HubClientError from them (the two worlds share no
 * prototypes, so `instanceof` cannot hold across the bridge whatever is sent).
 */
import { type HubClient, HubClientError } from '../../src/client/hub-client.js';
import { HUB_CALL_METHODS, type HubCallMethod, IpcErrorCode } from './hub-ipc-channels.js';

/** What a failed call rejects with on the page's side of the bridge. */
export interface BridgedHubClientError {
  name: 'HubClientError';
  code: string;
  message: string;
  toString(): string;
}

export function toBridgedError(error: unknown): BridgedHubClientError {
  const { code, message } =
    error instanceof HubClientError
      ? error
      : { code: IpcErrorCode.internal, message: 'Something went wrong in this window; see the console.' };
  return { name: 'HubClientError', code, message, toString: () => `HubClientError: ${message}` };
}

export function bridgeSafeHubClient(client: HubClient): HubClient {
  const calls = Object.fromEntries(
    HUB_CALL_METHODS.map((method: HubCallMethod) => {
      const invoke = client[method] as (...args: unknown[]) => Promise<unknown>;
      return [
        method,
        (...args: unknown[]) =>
          invoke.apply(client, args).catch((error: unknown) => {
            throw toBridgedError(error);
          }),
      ];
    }),
  ) as Pick<HubClient, HubCallMethod>;
  return {
    transport: client.transport,
    ...calls,
    subscribe: (listener) => client.subscribe(listener),
  };
}
