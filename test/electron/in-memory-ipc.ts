import type { IpcFrameLike, IpcMainLike, IpcSenderEventLike } from '../../electron/ipc/hub-ipc-main.js';
import type { IpcRendererLike } from '../../electron/ipc/hub-ipc-renderer.js';

/**
 * ipcMain and ipcRenderer joined in one process, behaving as Electron's do where it matters to
 * the IPC code: arguments and results cross by structuredClone (so only cloneable data survives,
 * and a class instance arrives as a plain object), each message is delivered asynchronously, an
 * invoke without a handler rejects, and an error thrown by a handler reaches the renderer only as
 * "Error invoking remote method …" with its message. The sender's frame is configurable, for the
 * sender checks.
 */
export interface InMemoryIpc {
  main: IpcMainLike;
  renderer: IpcRendererLike;
  /** The frame the renderer's calls come from; change it to play an iframe or another page. */
  frame: IpcFrameLike & { parent: unknown };
  readonly webContentsId: number;
  /** Destroys the renderer's WebContents (closing the window). */
  destroyWebContents(): void;
  handlerCount(): number;
}

type Handler = (event: IpcSenderEventLike, ...args: unknown[]) => Promise<unknown>;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

let nextWebContentsId = 1;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createInMemoryIpc(): InMemoryIpc {
  const handlers = new Map<string, Handler>();
  const rendererListeners = new Map<string, Set<RendererListener>>();
  const destroyedListeners: Array<() => void> = [];
  let destroyed = false;
  const webContentsId = nextWebContentsId++;

  const sender = {
    id: webContentsId,
    send(channel: string, ...args: unknown[]): void {
      if (destroyed) throw new Error('Object has been destroyed');
      const cloned = structuredClone(args);
      void nextTurn().then(() => {
        for (const listener of [...(rendererListeners.get(channel) ?? [])])
          listener({ sender: 'main' }, ...cloned);
      });
    },
    isDestroyed: () => destroyed,
    once(_event: 'destroyed', listener: () => void): unknown {
      destroyedListeners.push(listener);
      return sender;
    },
  };

  const ipc: InMemoryIpc = {
    webContentsId,
    frame: { url: 'app://boardhub/', parent: null, processId: 7, frameToken: 'main-frame-token' },
    main: {
      handle(channel, listener) {
        if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        handlers.set(channel, listener);
      },
      removeHandler(channel) {
        handlers.delete(channel);
      },
    },
    renderer: {
      async invoke(channel, ...args) {
        const cloned = structuredClone(args);
        await nextTurn();
        const handler = handlers.get(channel);
        if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
        let result: unknown;
        try {
          result = await handler({ sender, senderFrame: { ...ipc.frame } }, ...cloned);
        } catch (error) {
          throw new Error(`Error invoking remote method '${channel}': ${String(error)}`);
        }
        await nextTurn();
        return structuredClone(result);
      },
      on(channel, listener) {
        let listeners = rendererListeners.get(channel);
        if (listeners === undefined) {
          listeners = new Set();
          rendererListeners.set(channel, listeners);
        }
        listeners.add(listener);
        return ipc.renderer;
      },
      removeListener(channel, listener) {
        rendererListeners.get(channel)?.delete(listener);
        return ipc.renderer;
      },
    },
    destroyWebContents() {
      destroyed = true;
      for (const listener of destroyedListeners.splice(0)) listener();
    },
    handlerCount: () => handlers.size,
  };
  return ipc;
}
