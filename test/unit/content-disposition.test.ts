import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileNameFromContentDisposition } from '../../renderer/src/api/content-disposition.js';

describe('file names from Content-Disposition (content-disposition.ts)', () => {
  it('reads the quoted name the hub sends', () => {
    assert.equal(fileNameFromContentDisposition('attachment; filename="Retro 2024.yjs"'), 'Retro 2024.yjs');
  });

  it('prefers the RFC 5987 name, decoded', () => {
    assert.equal(
      fileNameFromContentDisposition(
        `attachment; filename="R_sum_.yjs"; filename*=UTF-8''R%C3%A9sum%C3%A9.yjs`,
      ),
      'Résumé.yjs',
    );
  });

  it('reads an unquoted name and unescapes a quoted one', () => {
    assert.equal(fileNameFromContentDisposition('attachment; filename=board.yjs'), 'board.yjs');
    assert.equal(fileNameFromContentDisposition('attachment; filename="a \\"b\\".yjs"'), 'a "b".yjs');
  });

  it('never returns a path, and nothing when there is no usable name', () => {
    assert.equal(fileNameFromContentDisposition('attachment; filename="../../etc/passwd"'), 'passwd');
    assert.equal(fileNameFromContentDisposition('attachment; filename=".."'), null);
    assert.equal(fileNameFromContentDisposition('attachment'), null);
    assert.equal(fileNameFromContentDisposition(null), null);
  });
});
