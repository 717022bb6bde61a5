import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as prng from 'lib0/prng';
import * as authProtocol from 'y-protocols/auth';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  type ClientMessage,
  decodeClientMessage,
  encodeAwareness,
  encodePermissionDenied,
  encodeQueryAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  MessageType,
  ProtocolError,
} from '../../src/sync/protocol.js';

/** A doc edited by three clients (text, map, nested array, a deletion), so its encodings are not trivial. */
function busyDoc(): Y.Doc {
  const doc = new Y.Doc();
  for (const clientID of [11, 222, 3_333_333]) {
    const peer = new Y.Doc();
    peer.clientID = clientID;
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc));
    peer.getText('notes').insert(0, `client ${clientID} was here. `);
    peer.getMap('cards').set(`card-${clientID}`, { x: clientID, y: 2 });
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(peer));
  }
  const list = new Y.Array<string>();
  doc.getMap('cards').set('nested', list);
  list.push(['a', 'b', 'c']);
  doc.getText('notes').delete(0, 5);
  return doc;
}

/** A frame exactly as y-websocket builds it: message type, then what y-protocols writes. */
function clientFrame(messageType: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, messageType);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

function varUint(value: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, value);
  return encoding.toUint8Array(encoder);
}

function concat(...parts: Array<Uint8Array | number[]>): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

/**
 * The frame as a view into a larger buffer with other bytes around it, the way ws hands over a
 * Buffer sliced from its receive buffer: a decoder must never read past the view's end.
 */
function insideLargerBuffer(frame: Uint8Array): Uint8Array {
  const backing = Buffer.alloc(frame.length + 64, 0x05);
  backing.set(frame, 32);
  return backing.subarray(32, 32 + frame.length);
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function assertRefused(frame: Uint8Array, why: string): void {
  assert.throws(() => decodeClientMessage(frame), ProtocolError, `${why}: ${hex(frame)}`);
}

function validFrames(): Array<{ name: string; frame: Uint8Array }> {
  const doc = busyDoc();
  const awareness = new awarenessProtocol.Awareness(doc);
  awareness.setLocalState({ user: { name: 'Ada', color: '#ff0000' }, cursor: { x: 10, y: 20 } });
  const awarenessUpdate = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]);
  awareness.destroy();
  const edit = new Y.Doc();
  edit.getText('notes').insert(0, 'a live change');
  return [
    { name: 'sync step 1', frame: encodeSyncStep1(Y.encodeStateVector(doc)) },
    { name: 'sync step 2', frame: encodeSyncStep2(Y.encodeStateAsUpdate(doc)) },
    { name: 'update', frame: encodeUpdate(Y.encodeStateAsUpdate(edit)) },
    { name: 'awareness', frame: encodeAwareness(awarenessUpdate) },
    { name: 'query awareness', frame: encodeQueryAwareness() },
    { name: 'update larger than 16 KiB', frame: encodeUpdate(new Uint8Array(20_000).fill(7)) },
  ];
}

describe('sync protocol: what the hub sends and receives', () => {
  describe('every message a client may send round-trips', () => {
    it('sync step 1 carries the state vector unchanged', () => {
      const stateVector = Y.encodeStateVector(busyDoc());
      assert.deepEqual(decodeClientMessage(encodeSyncStep1(stateVector)), {
        kind: 'sync-step1',
        stateVector,
      });
    });

    it('sync step 1 of an empty doc round-trips', () => {
      const stateVector = Y.encodeStateVector(new Y.Doc());
      assert.deepEqual(decodeClientMessage(encodeSyncStep1(stateVector)), {
        kind: 'sync-step1',
        stateVector,
      });
    });

    it('sync step 2 carries the update unchanged, and it rebuilds the doc', () => {
      const doc = busyDoc();
      const update = Y.encodeStateAsUpdate(doc);
      const message = decodeClientMessage(encodeSyncStep2(update));
      assert.deepEqual(message, { kind: 'sync-step2', update });
      const rebuilt = new Y.Doc();
      if (message.kind === 'sync-step2') Y.applyUpdate(rebuilt, message.update);
      assert.equal(rebuilt.getText('notes').toString(), doc.getText('notes').toString());
      assert.deepEqual(rebuilt.getMap('cards').toJSON(), doc.getMap('cards').toJSON());
    });

    it('a live update carries the update unchanged', () => {
      const doc = new Y.Doc();
      const updates: Uint8Array[] = [];
      doc.on('update', (update: Uint8Array) => updates.push(update));
      doc.getMap('cards').set('c1', 'hello');
      assert.equal(updates.length, 1);
      const update = updates[0]!;
      assert.deepEqual(decodeClientMessage(encodeUpdate(update)), { kind: 'sync-update', update });
    });

    it('an update larger than one varUint byte of length (multi-byte length prefix) round-trips', () => {
      const doc = new Y.Doc();
      doc.getText('notes').insert(0, 'x'.repeat(70_000));
      const update = Y.encodeStateAsUpdate(doc);
      assert.deepEqual(decodeClientMessage(encodeUpdate(update)), { kind: 'sync-update', update });
    });

    it('awareness carries the presence update, which applies to another peer', () => {
      const doc = new Y.Doc();
      const awareness = new awarenessProtocol.Awareness(doc);
      awareness.setLocalState({ user: { name: 'Ada' }, cursor: { x: 1, y: 2 } });
      const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]);
      const message = decodeClientMessage(encodeAwareness(update));
      assert.deepEqual(message, { kind: 'awareness', update });
      const other = new awarenessProtocol.Awareness(new Y.Doc());
      if (message.kind === 'awareness') awarenessProtocol.applyAwarenessUpdate(other, message.update, 'test');
      assert.deepEqual(other.getStates().get(doc.clientID), {
        user: { name: 'Ada' },
        cursor: { x: 1, y: 2 },
      });
      awareness.destroy();
      other.destroy();
    });

    it('query awareness has no payload and round-trips', () => {
      assert.deepEqual(encodeQueryAwareness(), Uint8Array.of(MessageType.queryAwareness));
      assert.deepEqual(decodeClientMessage(encodeQueryAwareness()), { kind: 'query-awareness' });
    });

    it('decodes a frame that is a view into a larger buffer (as ws delivers it) without reading past it', () => {
      for (const { name, frame } of validFrames()) {
        assert.deepEqual(decodeClientMessage(insideLargerBuffer(frame)), decodeClientMessage(frame), name);
      }
    });
  });

  describe('the hub encodes exactly what y-protocols encodes', () => {
    it('sync step 1 matches y-protocols writeSyncStep1', () => {
      const doc = busyDoc();
      const expected = clientFrame(MessageType.sync, (encoder) => syncProtocol.writeSyncStep1(encoder, doc));
      assert.deepEqual(encodeSyncStep1(Y.encodeStateVector(doc)), expected);
    });

    it('sync step 2 matches y-protocols writeSyncStep2, for a full and a partial state', () => {
      const doc = busyDoc();
      const full = clientFrame(MessageType.sync, (encoder) => syncProtocol.writeSyncStep2(encoder, doc));
      assert.deepEqual(encodeSyncStep2(Y.encodeStateAsUpdate(doc)), full);

      const behind = new Y.Doc();
      behind.getText('notes').insert(0, 'the reader already has this');
      const stateVector = Y.encodeStateVector(behind);
      const partial = clientFrame(MessageType.sync, (encoder) =>
        syncProtocol.writeSyncStep2(encoder, doc, stateVector),
      );
      assert.deepEqual(encodeSyncStep2(Y.encodeStateAsUpdate(doc, stateVector)), partial);
    });

    it('an update matches y-protocols writeUpdate', () => {
      const doc = busyDoc();
      const update = Y.encodeStateAsUpdate(doc);
      const expected = clientFrame(MessageType.sync, (encoder) => syncProtocol.writeUpdate(encoder, update));
      assert.deepEqual(encodeUpdate(update), expected);
    });

    it('permission denied matches y-protocols writePermissionDenied and reads back its reason', () => {
      for (const reason of ['role "view" may not change this board', '', 'ünïcödé ✓ 🎨']) {
        const expected = clientFrame(MessageType.auth, (encoder) =>
          authProtocol.writePermissionDenied(encoder, reason),
        );
        const frame = encodePermissionDenied(reason);
        assert.deepEqual(frame, expected);

        let readReason: string | null = null;
        const decoder = decoding.createDecoder(frame);
        assert.equal(decoding.readVarUint(decoder), MessageType.auth);
        authProtocol.readAuthMessage(decoder, new Y.Doc(), (_doc, denied) => {
          readReason = denied;
        });
        assert.equal(readReason, reason);
      }
    });

    it('awareness matches the frame y-websocket builds', () => {
      const doc = new Y.Doc();
      const awareness = new awarenessProtocol.Awareness(doc);
      awareness.setLocalState({ user: { name: 'Grace' } });
      const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]);
      const expected = clientFrame(MessageType.awareness, (encoder) =>
        encoding.writeVarUint8Array(encoder, update),
      );
      assert.deepEqual(encodeAwareness(update), expected);
      awareness.destroy();
    });
  });

  describe('frames a stock y-websocket client sends decode correctly', () => {
    const client = busyDoc();
    const server = new Y.Doc();
    server.getText('notes').insert(0, 'server side');

    it('the sync step 1 it sends on connect', () => {
      const frame = clientFrame(MessageType.sync, (encoder) => syncProtocol.writeSyncStep1(encoder, client));
      assert.deepEqual(decodeClientMessage(frame), {
        kind: 'sync-step1',
        stateVector: Y.encodeStateVector(client),
      });
    });

    it('the sync step 2 it answers our step 1 with (readSyncMessage), which brings the server up to date', () => {
      const serverStep1 = clientFrame(MessageType.sync, (encoder) =>
        syncProtocol.writeSyncStep1(encoder, server),
      );
      // What y-websocket does with our step 1: readSyncMessage writes its step 2 into the reply.
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, MessageType.sync);
      const incoming = decoding.createDecoder(serverStep1);
      assert.equal(decoding.readVarUint(incoming), MessageType.sync);
      const syncType = syncProtocol.readSyncMessage(incoming, reply, client, 'provider');
      assert.equal(syncType, syncProtocol.messageYjsSyncStep1);

      const message = decodeClientMessage(encoding.toUint8Array(reply));
      assert.equal(message.kind, 'sync-step2');
      if (message.kind !== 'sync-step2') return;
      const applied = new Y.Doc();
      Y.applyUpdate(applied, Y.encodeStateAsUpdate(server));
      Y.applyUpdate(applied, message.update);
      const appliedStateVector = Y.decodeStateVector(Y.encodeStateVector(applied));
      for (const [clientId, clock] of Y.decodeStateVector(Y.encodeStateVector(client))) {
        assert.equal(appliedStateVector.get(clientId), clock, `client ${clientId}`);
      }
      assert.deepEqual(applied.getMap('cards').toJSON(), client.getMap('cards').toJSON());
    });

    it('the update it sends for a local change (doc "update" event + writeUpdate)', () => {
      const before = Y.encodeStateAsUpdate(client);
      const frames: Uint8Array[] = [];
      const onUpdate = (update: Uint8Array): void => {
        frames.push(clientFrame(MessageType.sync, (encoder) => syncProtocol.writeUpdate(encoder, update)));
      };
      client.on('update', onUpdate);
      client.getMap('cards').set('live', { moved: true });
      client.off('update', onUpdate);
      assert.equal(frames.length, 1);
      const message = decodeClientMessage(frames[0]!);
      assert.equal(message.kind, 'sync-update');
      if (message.kind !== 'sync-update') return;
      const mirror = new Y.Doc();
      Y.applyUpdate(mirror, before);
      Y.applyUpdate(mirror, message.update);
      assert.deepEqual(mirror.getMap('cards').get('live'), { moved: true });
    });

    it('the awareness update it sends on every presence change', () => {
      const awareness = new awarenessProtocol.Awareness(client);
      awareness.setLocalStateField('user', { name: 'Linus', color: '#00ff00' });
      const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [client.clientID]);
      const frame = clientFrame(MessageType.awareness, (encoder) =>
        encoding.writeVarUint8Array(encoder, update),
      );
      assert.deepEqual(decodeClientMessage(frame), { kind: 'awareness', update });
      awareness.destroy();
    });

    it('the awareness removal it sends when it disconnects (state null)', () => {
      const awareness = new awarenessProtocol.Awareness(client);
      awareness.setLocalState({ user: { name: 'Linus' } });
      awareness.setLocalState(null);
      const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [client.clientID], new Map());
      const frame = clientFrame(MessageType.awareness, (encoder) =>
        encoding.writeVarUint8Array(encoder, update),
      );
      assert.deepEqual(decodeClientMessage(frame), { kind: 'awareness', update });
      awareness.destroy();
    });

    it('the query awareness it sends after connecting', () => {
      const frame = clientFrame(MessageType.queryAwareness, () => {});
      assert.deepEqual(decodeClientMessage(frame), { kind: 'query-awareness' });
    });
  });

  describe('malformed frames are a ProtocolError, never another error', () => {
    it('an empty frame', () => {
      assertRefused(new Uint8Array(0), 'empty frame');
      assertRefused(insideLargerBuffer(new Uint8Array(0)), 'empty view');
    });

    it('an unknown message type, including auth (2), which only the server sends', () => {
      for (const type of [MessageType.auth, 4, 5, 99, 127, 128, 2 ** 30, 2 ** 53 - 1]) {
        assertRefused(varUint(type), `type ${type} alone`);
        assertRefused(concat(varUint(type), [0, 1, 0]), `type ${type} with a payload`);
      }
    });

    it('a permission-denied frame echoed back by a client', () => {
      assertRefused(encodePermissionDenied('nope'), 'auth from a client');
    });

    it('a message type whose varUint overflows a safe integer', () => {
      assertRefused(concat(new Array<number>(10).fill(0xff), [0x7f]), 'varUint overflow');
    });

    it('a message type whose varUint never ends', () => {
      assertRefused(Uint8Array.of(0x80), 'unterminated varUint');
      assertRefused(Uint8Array.of(0x80, 0x80, 0x80), 'unterminated varUint');
    });

    it('a sync message without its sync type', () => {
      assertRefused(Uint8Array.of(MessageType.sync), 'sync without type');
    });

    it('an unknown sync type', () => {
      for (const syncType of [3, 4, 99, 128, 2 ** 30]) {
        assertRefused(concat([MessageType.sync], varUint(syncType)), `sync type ${syncType} alone`);
        assertRefused(concat([MessageType.sync], varUint(syncType), [2, 0, 0]), `sync type ${syncType}`);
      }
    });

    it('any valid message truncated at every cut point', () => {
      for (const { name, frame } of validFrames()) {
        for (let cut = 0; cut < frame.length; cut++) {
          assertRefused(frame.subarray(0, cut), `${name} cut at ${cut}`);
          assertRefused(
            insideLargerBuffer(frame.subarray(0, cut)),
            `${name} (in a larger buffer) cut at ${cut}`,
          );
        }
      }
    });

    it('any valid message followed by trailing bytes', () => {
      for (const { name, frame } of validFrames()) {
        for (const extra of [[0], [3], [0, 0, 0], [0xff]]) {
          assertRefused(concat(frame, extra), `${name} + ${extra.join(',')}`);
        }
      }
    });

    it('two messages in one frame', () => {
      assertRefused(concat(encodeQueryAwareness(), encodeQueryAwareness()), 'two queries');
      const update = Y.encodeStateAsUpdate(busyDoc());
      assertRefused(concat(encodeUpdate(update), encodeUpdate(update)), 'two updates');
    });

    it('a payload length larger than the frame', () => {
      assertRefused(Uint8Array.of(MessageType.sync, 2, 5, 1, 2), 'update claims 5 bytes, has 2');
      assertRefused(Uint8Array.of(MessageType.sync, 0, 3, 0), 'state vector claims 3 bytes, has 1');
      assertRefused(Uint8Array.of(MessageType.awareness, 1), 'awareness claims 1 byte, has none');
      assertRefused(concat([MessageType.sync, 1], varUint(2 ** 40), [0, 0]), 'step 2 claims 2^40 bytes');
      assertRefused(concat([MessageType.awareness], varUint(2 ** 53 - 1)), 'awareness claims 2^53-1 bytes');
      // In a larger buffer the claimed bytes exist in memory, just not in this frame.
      assertRefused(insideLargerBuffer(Uint8Array.of(MessageType.sync, 2, 5, 1, 2)), 'over-long, in a view');
      assertRefused(insideLargerBuffer(Uint8Array.of(MessageType.awareness, 20)), 'over-long, in a view');
    });

    it('a malformed state vector in sync step 1', () => {
      const step1WithStateVector = (stateVector: Uint8Array | number[]): Uint8Array =>
        concat([MessageType.sync, 0], varUint(stateVector.length), stateVector);
      assertRefused(step1WithStateVector([]), 'empty state vector');
      assertRefused(step1WithStateVector([5]), 'claims 5 entries, has none');
      assertRefused(step1WithStateVector([2, 11, 4]), 'claims 2 entries, has half of one');
      assertRefused(step1WithStateVector([1, 0x80]), 'client id never ends');
      assertRefused(step1WithStateVector([1, 11, 0x80]), 'clock never ends');
      assertRefused(step1WithStateVector([0xff, 0xff, 0xff, 0xff, 0x0f]), 'absurd entry count');
      const real = Y.encodeStateVector(busyDoc());
      for (let cut = 0; cut < real.length; cut++) {
        assertRefused(step1WithStateVector(real.subarray(0, cut)), `real state vector cut at ${cut}`);
      }
    });

    it('a text-looking frame (bytes of a JSON string)', () => {
      assertRefused(new TextEncoder().encode('{"type":"sync"}'), 'JSON text');
    });
  });

  describe('fuzz: random bytes either decode or are a ProtocolError', () => {
    const decodeOrProtocolError = (frame: Uint8Array): ClientMessage | null => {
      try {
        return decodeClientMessage(frame);
      } catch (error) {
        if (!(error instanceof ProtocolError)) {
          assert.fail(`frame ${hex(frame)} threw ${String(error)} instead of a ProtocolError`);
        }
        return null;
      }
    };

    it('8,000 seeded random byte strings, biased towards plausible headers', () => {
      const gen = prng.create(0xb0a2d);
      let decoded = 0;
      for (let i = 0; i < 8_000; i++) {
        const body = prng.uint8Array(gen, prng.uint32(gen, 0, 40));
        const header = prng.bool(gen)
          ? [prng.uint32(gen, 0, 4), prng.uint32(gen, 0, 3), prng.uint32(gen, 0, 40)]
          : [];
        const frame = concat(header.slice(0, prng.uint32(gen, 0, header.length)), body);
        if (decodeOrProtocolError(frame) !== null) decoded++;
        decodeOrProtocolError(insideLargerBuffer(frame));
      }
      // Not a property, a sanity check that the generator reaches the decoding paths at all.
      assert.ok(decoded > 0, 'no random frame decoded; the fuzz only exercised the first byte');
    });

    it('4,000 seeded mutations of valid messages (flip, insert, delete, truncate, extend)', () => {
      const gen = prng.create(7420);
      const seeds = validFrames().map((f) => f.frame);
      for (let i = 0; i < 4_000; i++) {
        const bytes = [...prng.oneOf(gen, seeds)];
        for (let m = prng.uint32(gen, 1, 3); m > 0; m--) {
          const at = prng.uint32(gen, 0, Math.max(0, bytes.length - 1));
          switch (prng.uint32(gen, 0, 4)) {
            case 0:
              bytes[at] = prng.uint32(gen, 0, 255);
              break;
            case 1:
              bytes.splice(at, 0, prng.uint32(gen, 0, 255));
              break;
            case 2:
              bytes.splice(at, 1);
              break;
            case 3:
              bytes.length = at;
              break;
            default:
              bytes.push(...prng.uint8Array(gen, prng.uint32(gen, 1, 8)));
          }
        }
        const frame = Uint8Array.from(bytes);
        decodeOrProtocolError(frame);
        decodeOrProtocolError(insideLargerBuffer(frame));
      }
    });
  });
});
