/**
 * The renderer half of the IPC: a HubClient (transport 'ipc') over ipcRenderer.invoke, built in the
 * preload. It unwraps the main process's envelopes into values or HubClientError with the hub's
 * code. Only depends on hub-ipc-channels.ts and the HubClient contract (no zod, no Electron), so
 * the sandboxed preload bundle stays small and this runs in Node tests as well.
 *
 * The result is a plain object of functions (no class, no prototype): contextBridge copies only an
 * object's own properties.
 */
import {
  HUB_TOPICS,
  type HubClient,
  HubClientError,
  type HubEvent,
  type HubTopic,
} from '../../src/client/hub-client.js';
import {
  callChannel,
  EVENT_CHANNEL,
  HUB_CALL_METHODS,
  type HubCallMethod,
  IpcErrorCode,
  SUBSCRIBE_CHANNEL,
  UNSUBSCRIBE_CHANNEL,
} from './hub-ipc-channels.js';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** Turns an envelope into its value, or throws the HubClientError it describes. */
export function unwrapIpcResult(result: unknown): unknown {
  if (typeof result === 'object' && result !== null && 'ok' in result) {
    if (result.ok === true && 'value' in result) return result.value;
    if (result.ok === false && 'error' in result) {
      const { error } = result;
      if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
        const { code, message } = error;
        if (typeof code === 'string' && typeof message === 'string') throw new HubClientError(code, message);
      }
    }
  }
  throw new HubClientError(
    IpcErrorCode.unexpectedResponse,
    'The app answered in a way this window does not understand.',
  );
}

async function invokeCall(ipc: IpcRendererLike, channel: string, args: unknown[]): Promise<unknown> {
  let result: unknown;
  try {
    result = await ipc.invoke(channel, ...args);
  } catch {
    // Electron rejects only when nothing handles the channel or the message could not be sent.
    throw new HubClientError(IpcErrorCode.unreachable, 'The hub in this app is not answering.');
  }
  return unwrapIpcResult(result);
}

const TOPICS: ReadonlySet<string> = new Set<HubTopic>(HUB_TOPICS);

/** The main process is trusted, but a listener should never see a half-formed event. */
export function isHubEvent(value: unknown): value is HubEvent {
  if (typeof value !== 'object' || value === null || !('type' in value)) return false;
  switch (value.type) {
    case 'resync':
      return true;
    case 'connection':
      return 'state' in value && (value.state === 'live' || value.state === 'reconnecting');
    case 'changes':
      return (
        'changes' in value &&
        Array.isArray(value.changes) &&
        value.changes.every(
          (change: unknown) =>
            typeof change === 'object' &&
            change !== null &&
            'topic' in change &&
            typeof change.topic === 'string' &&
            TOPICS.has(change.topic),
        )
      );
    default:
      return false;
  }
}

/**
 * Events: the first listener opens the subscription (ipc.on + `boardhub:subscribe`); once the
 * main process has confirmed it, listeners hear `connection: live` (a later listener hears it
 * too, as over HTTP), then the hub's changes. The last listener to leave closes it again.
 */
export function createIpcHubClient(ipc: IpcRendererLike): HubClient {
  const listeners = new Set<(event: HubEvent) => void>();
  /** The open subscription, if any; `live` once the main process confirmed it. */
  let subscription: { live: boolean } | null = null;

  const emit = (event: HubEvent): void => {
    for (const listener of [...listeners]) deliver(listener, event);
  };
  const onEvent = (_event: unknown, payload: unknown): void => {
    if (isHubEvent(payload)) emit(payload);
  };

  const open = (): { live: boolean } => {
    const current = { live: false };
    ipc.on(EVENT_CHANNEL, onEvent);
    invokeCall(ipc, SUBSCRIBE_CHANNEL, []).then(
      () => {
        if (subscription !== current) return;
        current.live = true;
        emit({ type: 'connection', state: 'live' });
      },
      (error: unknown) => {
        // The UI still works without live events (it refetches after its own actions); say why.
        console.warn(
          'Boardhub: live updates are unavailable:',
          error instanceof Error ? error.message : error,
        );
      },
    );
    return current;
  };

  const calls = Object.fromEntries(
    HUB_CALL_METHODS.map((method: HubCallMethod) => {
      const channel = callChannel(method);
      return [method, (...args: unknown[]) => invokeCall(ipc, channel, args)];
    }),
  ) as Pick<HubClient, HubCallMethod>;

  return {
    transport: 'ipc',
    ...calls,
    subscribe(listener) {
      // A wrapper per call: the same function subscribed twice gets two independent subscriptions.
      const entry = (event: HubEvent): void => listener(event);
      listeners.add(entry);
      if (subscription === null) {
        subscription = open();
      } else if (subscription.live) {
        queueMicrotask(() => {
          if (listeners.has(entry)) deliver(entry, { type: 'connection', state: 'live' });
        });
      }
      return () => {
        if (!listeners.delete(entry) || listeners.size > 0 || subscription === null) return;
        subscription = null;
        ipc.removeListener(EVENT_CHANNEL, onEvent);
        invokeCall(ipc, UNSUBSCRIBE_CHANNEL, []).catch(() => {
          // Nothing to undo: the main process drops a closed window's subscription by itself.
        });
      };
    },
  };
}

/** A listener that throws must not keep the event from the others; its error still surfaces. */
function deliver(listener: (event: HubEvent) => void, event: HubEvent): void {
  try {
    listener(event);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
