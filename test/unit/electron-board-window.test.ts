import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boardWindowOrigin, isBoardWindowUrl } from '../../electron/board-window-policy.js';

describe('Electron shell: board windows ("Open board")', () => {
  it('opens only a board page of the hub on loopback, and locks the window to that origin', () => {
    assert.equal(boardWindowOrigin('http://127.0.0.1:7420/b/b_abc123#t=eyJ.x.y'), 'http://127.0.0.1:7420');
    for (const url of [
      'https://127.0.0.1:7420/b/b_abc123#t=x',
      'http://192.168.1.20:7420/b/b_abc123#t=x',
      'http://localhost:7420/b/b_abc123#t=x',
      'http://127.0.0.1/b/b_abc123#t=x',
      'http://user:pw@127.0.0.1:7420/b/b_abc123#t=x',
      'http://127.0.0.1:7420/api/boards',
      'http://127.0.0.1:7420/b/../api#t=x',
      'http://127.0.0.1:7420/b/b_1/files/f',
      'app://boardhub/',
      'javascript:alert(1)',
      'not a url',
    ]) {
      assert.equal(boardWindowOrigin(url), null, url);
    }
  });

  it('a board window may navigate within its origin only', () => {
    const origin = 'http://127.0.0.1:7420';
    assert.equal(isBoardWindowUrl('http://127.0.0.1:7420/b/b_abc123#t=x', origin), true);
    assert.equal(isBoardWindowUrl('http://127.0.0.1:7420/board/assets/index.js', origin), true);
    for (const url of [
      'http://127.0.0.1:7421/b/b_abc123',
      'http://localhost:7420/b/b_abc123',
      'https://example.com/',
      'http://u:p@127.0.0.1:7420/',
      'file:///etc/passwd',
    ]) {
      assert.equal(isBoardWindowUrl(url, origin), false, url);
    }
    assert.equal(
      isBoardWindowUrl('http://127.0.0.1:7420/b/b_abc123', undefined),
      false,
      'not a board window',
    );
  });
});
