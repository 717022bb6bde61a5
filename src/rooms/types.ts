import type { Role } from '../auth/roles.js';

/** What a room needs from a client connection; implemented by sync/ClientConnection. */
export interface RoomMember {
  readonly id: number;
  readonly role: Role;
  /** The link it came in with (client-id ownership is per link). */
  readonly shareId: string;
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
  /**
   * A change this member may not make was dropped; tell it, count it, remember its clock ranges
   * (refusedFrom), and close the member once its refusals pass a budget.
   */
  refuseWrite(refusal: WriteRefusal): void;
  /** The lowest clock of `client` this member had refused on this connection, if any. */
  refusedFrom(client: number): number | undefined;
  /** The member sent something malformed; it is closed with a protocol error. */
  failProtocol(reason: string): void;
  /** The member went over a limit (size, rate); it is closed with `code` and one audit row. */
  exceedLimit(code: number, reason: string): void;
}

export type RoomState = 'loading' | 'live' | 'unloading' | 'gone' | 'failed';

/** A refused update, as its sender's connection is told of it. */
export interface WriteRefusal {
  reason: string;
  /** Size of the refused update (counted against the connection's refusal budget). */
  bytes: number;
  /** The clocks it would have written that the doc lacks: client, first clock, flat. */
  ranges: number[];
}
