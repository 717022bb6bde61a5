import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { mayChangeDocument, type Role, writableRoot } from '../auth/roles.js';
import { updateTouchesOnlyRoot } from '../auth/update-scope.js';
import { describeError, HubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ClientIdStore } from '../storage/client-id-store.js';
import type { DocUpdateStore } from '../storage/doc-update-store.js';
import { CloseCode } from '../sync/close-codes.js';
import {
  type AwarenessEntry,
  type ClientMessage,
  encodeAwareness,
  encodeAwarenessEntries,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  ProtocolError,
} from '../sync/protocol.js';
import { updateChangesDoc } from '../sync/update-inspection.js';
import { extendsExactly, missingDependency, UpdateShape } from '../sync/update-shape.js';
import {
  AwarenessTooLargeError,
  assertWellFormedUpdate,
  readAwarenessEntries,
} from '../sync/update-validation.js';
import { frameBinaryMessage } from '../sync/ws-frame.js';
import { applyBatch, type BatchResult, hasPendingStructs } from './apply-batch.js';
import type { RoomMember, RoomState, WriteRefusal } from './types.js';

/**
 * One board held in memory: its Y.Doc, the awareness (presence) of its members and its
 * connections. Its life is one explicit state machine:
 *
 *   loading --load ok--> live --idle/stop--> unloading --> gone
 *      \--load error--> failed   (never written to: an unreadable board is not overwritten)
 *
 * Edits from members are not applied on arrival: they wait for the group commit at the end of
 * the event-loop turn, which applies them, logs them durably and only then broadcasts them.
 * So the doc never holds anything that is not on disk, and whatever a peer sees survives a crash.
 */
export interface RoomSettings {
  idleUnloadMs: number;
  compactAfterUpdates: number;
  compactAfterBytes: number;
  maxAwarenessStateBytes: number;
  maxAwarenessIdsPerConnection: number;
  awarenessRelayIntervalMs: number;
}

export interface CommitScheduler {
  scheduleRoom(room: Room): void;
  flushNow(): void;
}

export interface PreparedBatch {
  room: Room;
  /** The batch's merged effect: one row in the update log (number `seq`), one broadcast frame. */
  update: Uint8Array;
  seq: number;
  /** Whether to refresh the board's updated_at (throttled: it is for people, not for sync). */
  touchBoard: boolean;
  /** Members whose updates were applied (closed if the commit fails: they resend after reconnecting). */
  origins: Set<RoomMember>;
  /** The one member that already holds all of `update` (its sole author), spared the echo. */
  author: RoomMember | null;
  /** Client ids `update` writes first on this board, with the share id that now owns each. */
  claims: ReadonlyMap<number, string>;
  /**
   * True when `update` is not in the doc yet: a live edit that extends the doc exactly is logged
   * and broadcast as it came, and applied only after the broadcast (see takeExtendingEdit).
   */
  applyAfterBroadcast: boolean;
}

const TOUCH_INTERVAL_MS = 5000;
/** Past this size a loaded snapshot is not kept for newcomers (it would double the board's memory). */
const KEEP_LOADED_STATE_BYTES = 4 * 1024 * 1024;

/** A state vector with no entries: the sender's doc is empty (a new client). */
const isEmptyStateVector = (stateVector: Uint8Array): boolean =>
  stateVector.byteLength === 1 && stateVector[0] === 0;

interface PendingUpdate {
  member: RoomMember;
  update: Uint8Array;
  /** What the update adds and points at, from the strict check's walk. */
  shape: UpdateShape;
  /** A live edit (a sync `update` message) from a member who may change the doc: the fast path's case. */
  live: boolean;
}

/** What the batch decided about an update it did not apply. */
type Verdict = { kind: 'refused'; refusal: WriteRefusal } | { kind: 'malformed'; reason: string };

const NO_CLAIMS: ReadonlyMap<number, string> = new Map();

/**
 * Whether the sender's role allows this update on doc as it is now. An update that changes
 * nothing (a reconnect's resent delete set) is never refused; a malformed one is let through so
 * that applying it fails and closes its sender with a protocol error.
 */
function mayApply(doc: Y.Doc, { member, update }: PendingUpdate): boolean {
  if (mayChangeDocument(member.role)) return true;
  const root = writableRoot(member.role);
  if (root !== 'none' && updateTouchesOnlyRoot(doc, update, root)) return true;
  try {
    return !updateChangesDoc(doc, update);
  } catch {
    return true;
  }
}

function refusalReason(role: Role): string {
  const root = writableRoot(role);
  return root === 'all' || root === 'none'
    ? `role "${role}" may not change this board`
    : `role "${role}" may change only "${root}" on this board`;
}

export class Room {
  readonly boardId: string;
  private stateValue: RoomState = 'loading';
  private doc: Y.Doc;
  private readonly awareness: awarenessProtocol.Awareness;
  private readonly members = new Set<RoomMember>();
  /**
   * Which connection introduced each presence client id: only that one may set or remove the
   * entry while it is connected. An entry another connection sends for it is dropped (see
   * receiveAwareness); a reconnect introduces its id again once the old connection is gone.
   */
  private readonly awarenessOwners = new Map<number, RoomMember>();
  /** Everyone's presence framed once, for every join and query-awareness reply; null after a change. */
  private awarenessReply: Buffer | null = null;
  /** Client ids changed since the last relay, and when that went out (see scheduleAwarenessRelay). */
  private readonly awarenessChanged = new Set<number>();
  private awarenessRelayTimer: NodeJS.Timeout | null = null;
  private lastAwarenessRelayAt = 0;
  private pending: PendingUpdate[] = [];
  private idleTimer: NodeJS.Timeout | null = null;
  /** Set when the board was deleted: unload as soon as the last member has left. */
  private retiring = false;
  private lastSeq = 0;
  /**
   * The stored snapshot the doc was loaded from, while the doc is exactly that (no tail at load,
   * nothing committed since): a newcomer with an empty doc is sent it as is, sparing a full
   * encode of the board on the first connect after a (re)start. Kept only up to a size.
   */
  private loadedState: Uint8Array | null = null;
  private lastTouchedAt = 0;
  private tailCount = 0;
  private tailBytes = 0;
  /** Owner (share id) of each client id written on this board, as stored (client-id-store.ts). */
  private owners = new Map<number, string>();

  constructor(
    boardId: string,
    private readonly updates: DocUpdateStore,
    private readonly clientIds: ClientIdStore,
    private readonly commits: CommitScheduler,
    private readonly settings: RoomSettings,
    private readonly log: Logger,
    private readonly onGone: (room: Room) => void,
    /** Called each time the doc is rebuilt from storage after a fault (observability, tests). */
    private readonly onReload: () => void,
  ) {
    this.boardId = boardId;
    this.doc = this.newDoc();
    // Awareness only borrows the doc's client id; it outlives a rebuild of the doc (see takeBatch).
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalState(null);
    this.awareness.on('update', this.onAwarenessUpdate);
  }

  get state(): RoomState {
    return this.stateValue;
  }

  get memberCount(): number {
    return this.members.size;
  }

  /** loading -> live, or -> failed with BOARD_UNAVAILABLE. */
  load(): void {
    try {
      this.loadDocFromStorage(this.doc);
      this.owners = this.clientIds.ownersOf(this.boardId);
    } catch (error) {
      this.stateValue = 'failed';
      this.awareness.destroy();
      throw new HubError(
        'BOARD_UNAVAILABLE',
        `Board ${this.boardId} could not be loaded: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
    this.stateValue = 'live';
    this.armIdleTimer();
  }

  join(member: RoomMember): void {
    if (this.stateValue !== 'live')
      throw new HubError('BOARD_UNAVAILABLE', `Board ${this.boardId} is not live.`);
    this.members.add(member);
    this.disarmIdleTimer();
    member.send(encodeSyncStep1(Y.encodeStateVector(this.doc)));
    this.sendAwarenessReply(member);
  }

  leave(member: RoomMember): void {
    if (!this.members.delete(member)) return;
    const ids = member.awarenessIds;
    member.awarenessIds = null;
    if (ids !== null) {
      for (const id of ids) this.awarenessOwners.delete(id);
      awarenessProtocol.removeAwarenessStates(this.awareness, ids, null);
    }
    if (this.members.size === 0) {
      if (this.retiring) this.unload();
      else this.armIdleTimer();
    }
  }

  /** The board was deleted: save and release it once its (closing) members are gone. */
  retireWhenEmpty(): void {
    this.retiring = true;
    if (this.members.size === 0) this.unload();
  }

  receive(member: RoomMember, message: ClientMessage): void {
    switch (message.kind) {
      case 'sync-step1': {
        const state =
          this.loadedState !== null && isEmptyStateVector(message.stateVector)
            ? this.loadedState
            : Y.encodeStateAsUpdate(this.doc, message.stateVector);
        member.send(encodeSyncStep2(state));
        return;
      }
      case 'sync-step2':
        this.receiveDocumentUpdate(member, message.update, false);
        return;
      case 'sync-update':
        // A reconnect's step 2 resends what the hub mostly has; only live edits take the fast path.
        this.receiveDocumentUpdate(member, message.update, mayChangeDocument(member.role));
        return;
      case 'awareness':
        this.receiveAwareness(member, message.update);
        return;
      case 'query-awareness':
        this.sendAwarenessReply(member);
        return;
    }
  }

  /**
   * Applies the entries of an awareness update that are the sender's to make: those of client
   * ids it introduced, and new ids (up to maxAwarenessIdsPerConnection). Entries for an id
   * another live connection introduced are dropped, not applied and not relayed, without closing
   * the sender: a stock y-websocket client echoes every presence change it receives, others'
   * included, and removes others' entries that it has not heard from in 30 s, so every honest
   * client sends such entries. Entries the awareness would ignore anyway are dropped too.
   */
  private receiveAwareness(member: RoomMember, update: Uint8Array): void {
    let entries: AwarenessEntry[];
    try {
      entries = readAwarenessEntries(update, this.settings.maxAwarenessStateBytes);
    } catch (error) {
      if (error instanceof AwarenessTooLargeError) member.exceedLimit(CloseCode.tooLarge, error.message);
      else member.failProtocol('malformed awareness update');
      return;
    }
    const maxIds = this.settings.maxAwarenessIdsPerConnection;
    let introduced = member.awarenessIds?.length ?? 0;
    const kept: AwarenessEntry[] = [];
    for (const entry of entries) {
      const owner = this.awarenessOwners.get(entry.client);
      if (owner !== undefined && owner !== member) continue;
      if (owner === undefined) {
        // Not held by anyone: a removal removes nothing, a stale clock changes nothing.
        const clock = this.awareness.meta.get(entry.client)?.clock ?? 0;
        if (entry.state === 'null' || entry.clock <= clock) continue;
        if (++introduced > maxIds) {
          member.exceedLimit(CloseCode.tooLarge, `more than ${maxIds} presence client ids on one connection`);
          return;
        }
      }
      kept.push(entry);
    }
    if (kept.length === 0) return;
    const permitted = kept.length === entries.length ? update : encodeAwarenessEntries(kept);
    awarenessProtocol.applyAwarenessUpdate(this.awareness, permitted, member);
  }

  /** Sends everyone's presence: the same bytes to every member until presence changes. */
  private sendAwarenessReply(member: RoomMember): void {
    if (this.awarenessReply === null) {
      const ids = [...this.awareness.getStates().keys()];
      if (ids.length === 0) return;
      this.awarenessReply = frameBinaryMessage(
        encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids)),
      );
    }
    member.sendFramed(this.awarenessReply);
  }

  /**
   * Every role's document updates wait for the group commit and are checked there, against the
   * doc as it is when they apply: a commenter's quick edits arrive in one turn, each built on the
   * one before. The strict check also records what the update adds and points at (its shape):
   * ownership, dependencies and the fast path are decided on it without applying anything.
   */
  private receiveDocumentUpdate(member: RoomMember, update: Uint8Array, live: boolean): void {
    const shape = new UpdateShape();
    try {
      assertWellFormedUpdate(update, shape);
    } catch (error) {
      member.failProtocol(error instanceof ProtocolError ? error.message : 'malformed update');
      return;
    }
    this.pending.push({ member, update, shape, live });
    this.commits.scheduleRoom(this);
  }

  /**
   * Group commit, step 1: apply this turn's pending edits in one transaction and say what to log
   * and broadcast. Each update is judged right before it would apply (judge): one that writes
   * another link's client id, or goes beyond the sender's role, is refused; one that would leave
   * structs waiting for dependencies is refused too, or closes its sender when no refusal of its
   * own explains the gap. Nothing of a refused update is applied, logged or broadcast. Only an
   * update that passed every check and still failed to apply (a fault of ours or of Yjs's)
   * costs a rebuild of the doc from storage, so a half-applied update never lingers in memory.
   */
  takeBatch(): PreparedBatch | null {
    if (this.stateValue !== 'live' || this.pending.length === 0) {
      this.pending = [];
      return null;
    }
    const extending = this.takeExtendingEdit();
    if (extending !== null) return extending;
    let batch = this.pending;
    this.pending = [];
    const verdicts = new Map<PendingUpdate, Verdict>();
    let claims = new Map<number, string>();
    let result = this.applyPermitted(batch, verdicts, claims);
    while (result.failed.length > 0) {
      const failed = new Set(result.failed);
      this.log.error(
        { boardId: this.boardId, updates: failed.size },
        'a checked update failed to apply; reloading the board',
      );
      for (const index of failed) batch[index]?.member.failProtocol('malformed update');
      batch = batch.filter((_, index) => !failed.has(index));
      this.doc = this.loadDocFromStorage();
      this.onReload();
      claims = new Map();
      result = this.applyPermitted(batch, verdicts, claims);
    }
    for (const [{ member }, verdict] of verdicts)
      if (verdict.kind === 'malformed') member.failProtocol(verdict.reason);
    if (result.effectiveUpdate === null) return null;
    // Plain loops, no intermediate arrays: this runs once per room per turn that wrote anything.
    const origins = new Set<RoomMember>();
    for (const pending of batch) if (!verdicts.has(pending)) origins.add(pending.member);
    let author: RoomMember | null = null;
    if (origins.size === 1) for (const only of origins) author = only;
    return {
      room: this,
      update: result.effectiveUpdate,
      seq: this.lastSeq + 1,
      touchBoard: Date.now() - this.lastTouchedAt >= TOUCH_INTERVAL_MS,
      origins,
      author,
      claims,
      applyAfterBroadcast: false,
    };
  }

  /**
   * The common case, fast: a turn brought one live edit, from a member who may change the doc,
   * and it extends the doc exactly (update-shape.ts: all of it new, nothing of it left pending).
   * Then the doc's apply-and-re-encode, the costliest step, need not stand between the editor
   * and the readers: the edit is logged and broadcast as it came and applied right after the
   * broadcast, in the same turn, so the doc still never holds anything that is not on disk.
   */
  private takeExtendingEdit(): PreparedBatch | null {
    if (this.pending.length !== 1) return null;
    const only = this.pending[0] as PendingUpdate;
    const store = this.doc.store;
    if (
      !only.live ||
      !mayChangeDocument(only.member.role) ||
      hasPendingStructs(this.doc) ||
      !extendsExactly(only.shape, (client) => Y.getState(store, client))
    ) {
      return null;
    }
    // One run of one client (extendsExactly): the general path refuses a write to another's id.
    const client = only.shape.runs[0] as number;
    const owner = this.owners.get(client);
    const shareId = only.member.shareId;
    if (owner !== undefined && owner !== shareId) return null;
    this.pending = [];
    return {
      room: this,
      update: only.update,
      seq: this.lastSeq + 1,
      touchBoard: Date.now() - this.lastTouchedAt >= TOUCH_INTERVAL_MS,
      origins: new Set([only.member]),
      author: only.member,
      claims: owner === undefined ? new Map([[client, shareId]]) : NO_CLAIMS,
      applyAfterBroadcast: true,
    };
  }

  /**
   * Applies the batch in one transaction, each update only if judge lets it; a verdict once
   * given stands when the batch is applied again. Client ids the batch writes first go to
   * `claims`, to be stored with the batch.
   */
  private applyPermitted(
    batch: readonly PendingUpdate[],
    verdicts: Map<PendingUpdate, Verdict>,
    claims: Map<number, string>,
  ): BatchResult {
    const doc = this.doc;
    return applyBatch(
      doc,
      batch.map((p) => p.update),
      this,
      (index) => {
        const pending = batch[index];
        if (pending === undefined || verdicts.has(pending)) return false;
        const verdict = this.judge(doc, pending, claims);
        if (verdict === null) return true;
        verdicts.set(pending, verdict);
        // At once: the sender's next update in this batch may build on the refused clocks.
        if (verdict.kind === 'refused') pending.member.refuseWrite(verdict.refusal);
        return false;
      },
    );
  }

  /**
   * Null if the update may apply to doc as it is now (and its first-written client ids are
   * added to claims), else why not. Only the update's new structs count: what the doc already
   * has (a reconnect resends it) writes nothing. Deletions name no writer, so they are judged by
   * role alone.
   */
  private judge(doc: Y.Doc, pending: PendingUpdate, claims: Map<number, string>): Verdict | null {
    const { member, shape } = pending;
    const store = doc.store;
    const state = (client: number): number => Y.getState(store, client);
    const runs = shape.runs;
    const refuse = (reason: string): Verdict => {
      // Remembered by the connection: what it sends later at these clocks cannot integrate either.
      const ranges: number[] = [];
      for (let i = 0; i < runs.length; i += 3) {
        const client = runs[i] as number;
        const end = runs[i + 2] as number;
        const from = Math.max(runs[i + 1] as number, state(client));
        if (end > from) ranges.push(client, from);
      }
      return { kind: 'refused', refusal: { reason, bytes: pending.update.byteLength, ranges } };
    };
    for (let i = 0; i < runs.length; i += 3) {
      const client = runs[i] as number;
      if ((runs[i + 2] as number) <= state(client)) continue;
      const owner = claims.get(client) ?? this.owners.get(client);
      if (owner !== undefined && owner !== member.shareId) {
        return refuse(`client id ${client} belongs to another link on this board; reload the page`);
      }
    }
    const missing = missingDependency(shape, state);
    if (missing !== null) {
      const refusedFrom = member.refusedFrom(missing.client);
      if (refusedFrom !== undefined && missing.clock >= refusedFrom) {
        return refuse('this change builds on a change of yours that was refused; reload the page');
      }
      return { kind: 'malformed', reason: 'update depends on changes the board does not have' };
    }
    if (!mayApply(doc, pending)) return refuse(refusalReason(member.role));
    for (let i = 0; i < runs.length; i += 3) {
      const client = runs[i] as number;
      if ((runs[i + 2] as number) > state(client) && !this.owners.has(client) && !claims.has(client)) {
        claims.set(client, member.shareId);
      }
    }
    return null;
  }

  /** Group commit, step 2a: the rows are durable; now the others may see them. */
  commitSucceeded(batch: PreparedBatch): void {
    this.lastSeq = batch.seq;
    for (const [client, shareId] of batch.claims) this.owners.set(client, shareId);
    this.loadedState = null;
    if (batch.touchBoard) this.lastTouchedAt = Date.now();
    this.tailCount += 1;
    this.tailBytes += batch.update.byteLength;
    const frame = frameBinaryMessage(encodeUpdate(batch.update));
    for (const member of this.members) if (member !== batch.author) member.sendFramed(frame);
    // Before any compaction: that encodes the doc as of batch.seq.
    if (batch.applyAfterBroadcast && !this.applyBroadcastEdit(batch)) return;
    if (
      this.tailCount >= this.settings.compactAfterUpdates ||
      this.tailBytes >= this.settings.compactAfterBytes
    ) {
      this.compactSafely();
    }
  }

  /**
   * Applies an edit that was logged and broadcast before it was applied. It was checked to extend
   * the doc exactly, so this cannot fail short of a bug (ours or Yjs's). Should it fail anyway,
   * the edit is taken out of the log again, so it can never make the board unloadable, and the
   * room is rebuilt from storage with every member resynced; readers that got it had the same
   * trouble with it, and their resync does not bring it back (it is refused like any update
   * that fails to apply).
   */
  private applyBroadcastEdit(batch: PreparedBatch): boolean {
    try {
      Y.applyUpdate(this.doc, batch.update, this);
      if (!hasPendingStructs(this.doc)) return true;
      throw new Error('an edit checked to extend the doc left structs pending');
    } catch (error) {
      try {
        this.updates.remove(this.boardId, batch.seq);
      } catch (removeError) {
        this.log.error(
          { boardId: this.boardId, err: describeError(removeError) },
          'edit could not be unlogged',
        );
      }
      this.recoverFromFault(error);
      return false;
    }
  }

  /** Group commit, step 2b: nothing was stored, so the doc must forget the batch too. */
  commitFailed(batch: PreparedBatch): void {
    if (!batch.applyAfterBroadcast) {
      try {
        this.doc = this.loadDocFromStorage();
        this.onReload();
      } catch (error) {
        this.log.error({ boardId: this.boardId, err: describeError(error) }, 'board could not be reloaded');
      }
    }
    // Their edits are still on their side: after reconnecting they resend them.
    for (const member of batch.origins)
      member.close(1011, 'the hub could not save your change; reconnecting');
  }

  /**
   * Something failed while applying a batch (a bug of ours or of Yjs). Whatever the doc holds
   * now is suspect: rebuild it from what is durable and close every member with 1011, so each
   * resyncs from that state. If even the stored board cannot be loaded, the room fails and is
   * never written to.
   */
  recoverFromFault(error: unknown): void {
    this.log.error({ boardId: this.boardId, err: describeError(error) }, 'room fault; reloading the board');
    this.pending = [];
    try {
      this.doc = this.loadDocFromStorage();
      this.onReload();
    } catch (loadError) {
      this.log.error({ boardId: this.boardId, err: describeError(loadError) }, 'board cannot be reloaded');
      this.stateValue = 'failed';
      this.disarmIdleTimer();
      this.closeAll(1011, 'this board failed; try again later');
      this.stopAwarenessRelay();
      this.awareness.destroy();
      this.onGone(this);
      return;
    }
    this.closeAll(1011, 'the hub reloaded this board; reconnecting');
  }

  /** Closes every member (e.g. on shutdown); they leave through their close handlers. */
  closeAll(code: number, reason: string): void {
    for (const member of [...this.members]) member.close(code, reason);
  }

  /** live -> unloading -> gone: a final save (compaction) first, then memory is released. */
  unload(): void {
    if (this.stateValue !== 'live') return;
    // Edits still queued (e.g. sent just before their sender left) are committed while live.
    this.commits.flushNow();
    this.stateValue = 'unloading';
    this.disarmIdleTimer();
    if (this.tailCount > 0) this.compactSafely();
    this.stopAwarenessRelay();
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.doc.destroy();
    this.stateValue = 'gone';
    this.onGone(this);
  }

  private compactSafely(): void {
    try {
      this.updates.compact(this.boardId, Y.encodeStateAsUpdate(this.doc), this.lastSeq, Date.now());
      this.tailCount = 0;
      this.tailBytes = 0;
    } catch (error) {
      // The log still holds everything; compaction is retried at the next threshold or unload.
      this.log.warn({ boardId: this.boardId, err: describeError(error) }, 'compaction failed');
    }
  }

  /**
   * The board id as the doc's guid: Yjs would otherwise draw a random UUID for every doc, one
   * random call per character (~9 KB of garbage per room load), for an id the hub never uses.
   */
  private newDoc(): Y.Doc {
    return new Y.Doc({ guid: this.boardId });
  }

  private loadDocFromStorage(doc = this.newDoc()): Y.Doc {
    const stored = this.updates.load(this.boardId);
    doc.transact(() => {
      if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
      for (const update of stored.tail) Y.applyUpdate(doc, update);
    });
    this.lastSeq = stored.lastSeq;
    this.loadedState =
      stored.tail.length === 0 &&
      stored.snapshot !== null &&
      stored.snapshot.byteLength <= KEEP_LOADED_STATE_BYTES
        ? stored.snapshot
        : null;
    this.tailCount = stored.tail.length;
    this.tailBytes = stored.tailBytes;
    return doc;
  }

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const member = this.members.has(origin as RoomMember) ? (origin as RoomMember) : undefined;
    if (member) {
      // An id applied for the first time, or again after its owner left (a reconnect: "updated").
      for (const id of added) this.introduceAwarenessId(member, id);
      for (const id of updated) this.introduceAwarenessId(member, id);
    }
    this.awarenessReply = null;
    for (const id of added) this.awarenessChanged.add(id);
    for (const id of updated) this.awarenessChanged.add(id);
    for (const id of removed) this.awarenessChanged.add(id);
    if (this.awarenessChanged.size > 0) this.scheduleAwarenessRelay();
  };

  private introduceAwarenessId(member: RoomMember, id: number): void {
    if (this.awarenessOwners.has(id)) return;
    this.awarenessOwners.set(id, member);
    if (member.awarenessIds === null) member.awarenessIds = [id];
    else member.awarenessIds.push(id);
  }

  /**
   * Relays presence changes at most once per awarenessRelayIntervalMs: the first change at once,
   * later ones in the same interval together when it ends, each client id with its latest
   * state. A client moving its pointer at 144 Hz, or flooding, costs the room 20 relays a second.
   */
  private scheduleAwarenessRelay(): void {
    if (this.awarenessRelayTimer !== null) return;
    const wait = this.lastAwarenessRelayAt + this.settings.awarenessRelayIntervalMs - Date.now();
    if (wait <= 0) {
      this.relayAwareness();
      return;
    }
    this.awarenessRelayTimer = setTimeout(this.relayAwareness, wait);
    this.awarenessRelayTimer.unref();
  }

  private readonly relayAwareness = (): void => {
    this.awarenessRelayTimer = null;
    if (this.awarenessChanged.size === 0) return;
    const changed = [...this.awarenessChanged];
    this.awarenessChanged.clear();
    this.lastAwarenessRelayAt = Date.now();
    const frame = frameBinaryMessage(
      encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)),
    );
    for (const each of this.members) each.sendFramed(frame);
  };

  private stopAwarenessRelay(): void {
    if (this.awarenessRelayTimer !== null) clearTimeout(this.awarenessRelayTimer);
    this.awarenessRelayTimer = null;
    this.awarenessChanged.clear();
  }

  private armIdleTimer(): void {
    this.disarmIdleTimer();
    this.idleTimer = setTimeout(() => {
      if (this.members.size === 0) this.unload();
    }, this.settings.idleUnloadMs);
    this.idleTimer.unref();
  }

  private disarmIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
