import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { ProtocolError } from '../../src/sync/protocol.js';
import {
  AwarenessTooLargeError,
  assertWellFormedUpdate,
  MAX_CLOCK,
  readAwarenessEntries,
} from '../../src/sync/update-validation.js';

const bytes = (write: (encoder: encoding.Encoder) => void): Uint8Array => {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
};

/** A v1 update with no structs and one delete range for `client`. */
const deletion = (client: number, clock: number, len: number): Uint8Array =>
  bytes((e) => {
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, clock);
    encoding.writeVarUint(e, len);
  });

describe('strict update validation', () => {
  it('accepts real updates: inserts, nested types, deletions, the empty update', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'hello');
    const nested = new Y.Map<unknown>();
    doc.getArray('a').push([nested]);
    nested.set('k', 'v');
    doc.getText('t').delete(1, 2);
    assert.doesNotThrow(() => assertWellFormedUpdate(Y.encodeStateAsUpdate(doc)));
    assert.doesNotThrow(() => assertWellFormedUpdate(Y.encodeStateAsUpdate(new Y.Doc())));
    assert.doesNotThrow(() => assertWellFormedUpdate(deletion(7, 3, 2)));
  });

  it('refuses an item whose content has no length', () => {
    const zeroLengthAny = bytes((e) => {
      encoding.writeVarUint(e, 1); // one client
      encoding.writeVarUint(e, 1); // one struct
      encoding.writeVarUint(e, 4242); // client
      encoding.writeVarUint(e, 0); // clock
      encoding.writeUint8(e, 8); // info: no origins (so parent info follows), ContentAny
      encoding.writeVarUint(e, 1); // parent is a root type…
      encoding.writeVarString(e, 'list'); // …named "list"
      encoding.writeVarUint(e, 0); // ContentAny with zero values
      encoding.writeVarUint(e, 0); // empty delete set
    });
    assert.throws(() => assertWellFormedUpdate(zeroLengthAny), ProtocolError);
  });

  it('refuses clocks and delete ranges out of range, and empty delete ranges', () => {
    assert.throws(() => assertWellFormedUpdate(deletion(7, 2 ** 59, 1)), ProtocolError);
    assert.throws(() => assertWellFormedUpdate(deletion(7, MAX_CLOCK, 1)), ProtocolError);
    assert.throws(() => assertWellFormedUpdate(deletion(7, 1, 0)), ProtocolError);
  });

  it('refuses bytes that are not an update', () => {
    for (const junk of [
      new Uint8Array([1]),
      new Uint8Array([5, 5, 5, 5]),
      new Uint8Array([0xff, 0xff, 0xff]),
    ]) {
      assert.throws(() => assertWellFormedUpdate(junk), ProtocolError);
    }
  });
});

describe('strict awareness validation', () => {
  const LIMIT = 32 * 1024;

  it('accepts what y-protocols encodes, including removals', () => {
    const awareness = new awarenessProtocol.Awareness(new Y.Doc());
    awareness.setLocalState({ user: { name: 'Ana' } });
    const id = awareness.clientID;
    assert.doesNotThrow(() =>
      readAwarenessEntries(awarenessProtocol.encodeAwarenessUpdate(awareness, [id]), LIMIT),
    );
    awareness.setLocalState(null);
    assert.doesNotThrow(() =>
      readAwarenessEntries(awarenessProtocol.encodeAwarenessUpdate(awareness, [id]), LIMIT),
    );
    awareness.destroy();
  });

  it('refuses an update whose later entry is not JSON, so no entry of it is applied', () => {
    const update = bytes((e) => {
      encoding.writeVarUint(e, 2);
      encoding.writeVarUint(e, 777);
      encoding.writeVarUint(e, 1);
      encoding.writeVarString(e, '{"user":"ok"}');
      encoding.writeVarUint(e, 778);
      encoding.writeVarUint(e, 1);
      encoding.writeVarString(e, '{not json');
    });
    assert.throws(() => readAwarenessEntries(update, LIMIT), ProtocolError);
  });

  it('reads each entry with its size, and refuses a state over the limit before parsing it', () => {
    const awareness = new awarenessProtocol.Awareness(new Y.Doc());
    awareness.setLocalState({ user: { name: 'Zoë' } });
    const id = awareness.clientID;
    const [entry] = readAwarenessEntries(awarenessProtocol.encodeAwarenessUpdate(awareness, [id]), LIMIT);
    assert.equal(entry?.client, id);
    assert.equal(entry?.state, '{"user":{"name":"Zoë"}}');
    assert.equal(entry?.stateBytes, Buffer.byteLength('{"user":{"name":"Zoë"}}'));
    awareness.setLocalState({ selected: 'x'.repeat(LIMIT) });
    assert.throws(
      () => readAwarenessEntries(awarenessProtocol.encodeAwarenessUpdate(awareness, [id]), LIMIT),
      AwarenessTooLargeError,
    );
    awareness.destroy();
  });

  it('refuses truncated updates and trailing bytes', () => {
    assert.throws(() => readAwarenessEntries(new Uint8Array([1, 5]), LIMIT), ProtocolError);
    assert.throws(() => readAwarenessEntries(new Uint8Array([0, 9]), LIMIT), ProtocolError);
  });
});
