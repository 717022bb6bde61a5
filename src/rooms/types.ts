import type { Role } from '../auth/roles.js';

/** What a room needs from a client connection; implemented by sync/ClientConnection. */
export interface RoomMember {
  readonly id: number;
  readonly role: Role;
  /**
   * Awareness client ids this connection introduced (it alone may set or remove their entries
   * while it is connected), removed when it leaves. Null until it publishes; a stock client
   * publishes exactly one, and the room allows only a few (maxAwarenessIdsPerConnection), so a
   * small array is kept. Only the room changes it.
   */
  awarenessIds: number[] | null;
  send(frame: Uint8Array): void;
  /** Sends a message framed by frameBinaryMessage (ws-frame.ts): one frame shared by a broadcast's readers. */
  sendFramed(frame: Buffer): void;
  close(code: number, reason: string): void;
  /** A change this member may not make was dropped; tell it and count it. */
  refuseWrite(reason: string): void;
  /** The member sent something malformed; it is closed with a protocol error. */
  failProtocol(reason: string): void;
  /** The member went over a limit (size, rate); it is closed with `code` and one audit row. */
  exceedLimit(code: number, reason: string): void;
}

export type RoomState = 'loading' | 'live' | 'unloading' | 'gone' | 'failed';
