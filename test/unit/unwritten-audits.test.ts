import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_UNWRITTEN_AUDITS, UnwrittenAudits } from '../../src/rooms/unwritten-audits.js';
import type { AuditEntry } from '../../src/storage/audit-store.js';

const row = (ts: number, action: AuditEntry['action'] = 'connect'): AuditEntry => ({
  ts,
  action,
  actor: 'guest',
});

describe('audit rows a failed commit could not write', () => {
  it('are written next, behind one audit_gap row naming the failed time range', () => {
    const unwritten = new UnwrittenAudits();
    assert.deepEqual(unwritten.toWrite(5), [], 'nothing failed: nothing extra to write');
    unwritten.keep([row(1), row(2, 'disconnect')], 10);
    unwritten.keep([], 20);
    const [gap, ...rows] = unwritten.toWrite(30);
    assert.equal(gap?.action, 'audit_gap');
    assert.deepEqual(gap?.detail, {
      failedFrom: 10,
      failedTo: 20,
      failedCommits: 2,
      writtenLate: 2,
      lost: 0,
    });
    assert.deepEqual(rows, [row(1), row(2, 'disconnect')]);
    unwritten.written();
    assert.deepEqual(unwritten.toWrite(40), []);
  });

  it('past the cap the oldest are dropped and counted per action, never kept without bound', () => {
    const unwritten = new UnwrittenAudits();
    unwritten.keep([row(1, 'denied'), row(2, 'denied'), row(3)], 10);
    unwritten.keep(
      Array.from({ length: MAX_UNWRITTEN_AUDITS }, (_, i) => row(100 + i)),
      20,
    );
    assert.equal(unwritten.count, MAX_UNWRITTEN_AUDITS);
    const [gap] = unwritten.toWrite(30);
    assert.deepEqual(gap?.detail, {
      failedFrom: 10,
      failedTo: 20,
      failedCommits: 2,
      writtenLate: MAX_UNWRITTEN_AUDITS,
      lost: 3,
      lostFrom: 1,
      lostTo: 3,
      lostActions: { denied: 2, connect: 1 },
    });
  });
});
