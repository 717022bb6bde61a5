/**
 * The main-process half of the IPC: one `ipcMain.handle` per HubClient method, forwarding to a
 * HubClient that runs in this process (createServiceHubClient over the hub). Written against
 * small structural interfaces instead of Electron's types, so the same code runs in plain Node
 * tests with an in-memory channel.
 *
 * Every call is checked in the same order: the sender (isTrustedSender: our window's main frame
 * showing our own pages), then the arguments (hub-ipc-contract.ts). Nothing thrown ever crosses
 * the IPC: every outcome is an IpcResult envelope, so the renderer sees the hub's error code.
 */
import type { HubClient, HubEvent } from '../../src/client/hub-client.js';
import {
  callChannel,
  EVENT_CHANNEL,
  HUB_CALL_METHODS,
  type HubCallMethod,
  IpcErrorCode,
  type IpcErrorPayload,
  type IpcResult,
  parseCallArguments,
  SUBSCRIBE_CHANNEL,
  UNSUBSCRIBE_CHANNEL,
} from './hub-ipc-contract.js';

/** The part of a WebFrameMain the sender check reads. */
export interface IpcFrameLike {
  readonly url: string;
  readonly parent: unknown;
  readonly processId: number;
  readonly frameToken: string;
}

/** The part of a WebContents the handlers use: who it is, and where events go. */
export interface IpcSenderLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

/** The part of an IpcMainInvokeEvent the handlers read. */
export interface IpcSenderEventLike {
  readonly sender: IpcSenderLike;
  readonly senderFrame: IpcFrameLike | null;
}

export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcSenderEventLike, ...args: unknown[]) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
}

const ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * The hub's errors (HubError, HubClientError) carry a code and a message written for a user; they
 * pass as they are. Anything else is a bug whose message may show internals: it becomes INTERNAL.
 */
export function toIpcError(error: unknown): IpcErrorPayload {
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const { code, message } = error;
    if (typeof code === 'string' && ERROR_CODE_PATTERN.test(code) && typeof message === 'string') {
      return { code, message };
    }
  }
  return { code: IpcErrorCode.internal, message: 'Something went wrong in the hub; see its log.' };
}

const refuse = (code: string, message: string): IpcResult<never> => ({ ok: false, error: { code, message } });

const UNTRUSTED = refuse(IpcErrorCode.untrustedSender, 'This page may not manage the hub.');

/**
 * Registers every handler; returns a function that removes them (and stops forwarding events).
 * `onError` hears about failures that are bugs (not the hub's coded refusals), for the log.
 */
export function registerHubIpcHandlers(
  ipc: IpcMainLike,
  target: HubClient,
  isTrustedSender: (event: IpcSenderEventLike) => boolean,
  onError: (method: string, error: unknown) => void = () => {},
): () => void {
  const events = createEventForwarder(target);

  const call = async (method: HubCallMethod, args: readonly unknown[]): Promise<IpcResult<unknown>> => {
    const parsed = parseCallArguments(method, args);
    if (!parsed.ok) return refuse(IpcErrorCode.invalidArgument, parsed.message);
    try {
      const invoke = target[method] as (...callArgs: unknown[]) => Promise<unknown>;
      return { ok: true, value: await invoke.apply(target, parsed.args) };
    } catch (error) {
      const payload = toIpcError(error);
      if (payload.code === IpcErrorCode.internal) onError(method, error);
      return { ok: false, error: payload };
    }
  };

  for (const method of HUB_CALL_METHODS) {
    ipc.handle(callChannel(method), async (event, ...args) => {
      if (!checkSender(isTrustedSender, event)) return UNTRUSTED;
      return call(method, args);
    });
  }
  ipc.handle(SUBSCRIBE_CHANNEL, async (event, ...args) => {
    if (!checkSender(isTrustedSender, event)) return UNTRUSTED;
    if (args.length > 0) return refuse(IpcErrorCode.invalidArgument, 'subscribe takes no arguments');
    events.add(event.sender);
    return { ok: true, value: null };
  });
  ipc.handle(UNSUBSCRIBE_CHANNEL, async (event, ...args) => {
    if (!checkSender(isTrustedSender, event)) return UNTRUSTED;
    if (args.length > 0) return refuse(IpcErrorCode.invalidArgument, 'unsubscribe takes no arguments');
    events.remove(event.sender);
    return { ok: true, value: null };
  });

  return () => {
    for (const method of HUB_CALL_METHODS) ipc.removeHandler(callChannel(method));
    ipc.removeHandler(SUBSCRIBE_CHANNEL);
    ipc.removeHandler(UNSUBSCRIBE_CHANNEL);
    events.close();
  };
}

/** A sender check that throws (a bug in it) refuses the call instead of escaping the handler. */
function checkSender(
  isTrustedSender: (event: IpcSenderEventLike) => boolean,
  event: IpcSenderEventLike,
): boolean {
  try {
    return isTrustedSender(event) === true;
  } catch {
    return false;
  }
}

/**
 * Forwards the hub's changes to every subscribed renderer (by WebContents), while at least one is
 * subscribed. Subscribing twice is harmless (a reloaded page subscribes again); a destroyed
 * WebContents drops out on its own. The target's own `connection` events describe its transport,
 * not this one: the renderer half reports the IPC link's state itself.
 */
function createEventForwarder(target: HubClient): {
  add(sender: IpcSenderLike): void;
  remove(sender: IpcSenderLike): void;
  close(): void;
} {
  const senders = new Map<number, IpcSenderLike>();
  let unsubscribe: (() => void) | null = null;

  const forward = (event: HubEvent): void => {
    if (event.type === 'connection') return;
    for (const sender of [...senders.values()]) {
      if (sender.isDestroyed()) {
        senders.delete(sender.id);
        continue;
      }
      sender.send(EVENT_CHANNEL, event);
    }
  };
  const stopWhenIdle = (): void => {
    if (senders.size === 0 && unsubscribe) {
      unsubscribe();
      unsubscribe = null;
    }
  };

  return {
    add(sender) {
      if (senders.has(sender.id)) return;
      senders.set(sender.id, sender);
      sender.once('destroyed', () => {
        if (senders.get(sender.id) === sender) senders.delete(sender.id);
        stopWhenIdle();
      });
      unsubscribe ??= target.subscribe(forward);
    },
    remove(sender) {
      senders.delete(sender.id);
      stopWhenIdle();
    },
    close() {
      senders.clear();
      stopWhenIdle();
    },
  };
}
