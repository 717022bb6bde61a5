import assert from 'node:assert/strict';
import { isAbsolute } from 'node:path';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { parseByteSize, parseDuration, parsePort } from '../../src/cli/parse.js';
import { DEFAULT_PORT, defaultDataDir, parseHubConfig } from '../../src/config.js';
import { type ErrorCode, HubError } from '../../src/errors.js';
import { redactUrl } from '../../src/log.js';
import { parseBoardRequest } from '../../src/net/upgrade-gate.js';

function assertHubError(run: () => unknown, code: ErrorCode, message?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof HubError, `expected a HubError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

function assertUsageError(run: () => unknown, what: string): void {
  assert.throws(
    run,
    (error: unknown) => {
      assert.ok(
        error instanceof InvalidArgumentError,
        `${what}: expected commander's InvalidArgumentError (a clear usage message), got ${String(error)}`,
      );
      return true;
    },
    what,
  );
}

describe('hub configuration', () => {
  it('has documented defaults: loopback, port 7420, unload after 30 minutes idle, normal durability', () => {
    const config = parseHubConfig({ dataDir: '/tmp/boardhub-data' });
    assert.equal(config.dataDir, '/tmp/boardhub-data');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 7420);
    assert.equal(DEFAULT_PORT, 7420);
    assert.equal(config.idleUnloadMs, 30 * 60 * 1000);
    assert.equal(config.durability, 'normal');
    assert.equal(config.maxPayloadBytes, 32 * 1024 * 1024);
    assert.equal(config.logLevel, 'info');
  });

  it('keeps the values it is given', () => {
    const config = parseHubConfig({
      dataDir: '/data',
      host: '0.0.0.0',
      port: 0,
      idleUnloadMs: 1000,
      durability: 'full',
    });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.port, 0);
    assert.equal(config.idleUnloadMs, 1000);
    assert.equal(config.durability, 'full');
  });

  it('refuses a bad port with an INVALID_ARGUMENT naming the port', () => {
    for (const port of [65536, -1, 80.5, Number.NaN]) {
      assertHubError(
        () => parseHubConfig({ dataDir: '/data', port }),
        'INVALID_ARGUMENT',
        /^Invalid hub configuration: port: /,
      );
    }
  });

  it('refuses a bad durability with an INVALID_ARGUMENT naming the choices', () => {
    assertHubError(
      () => parseHubConfig({ dataDir: '/data', durability: 'fast' as 'full' }),
      'INVALID_ARGUMENT',
      /^Invalid hub configuration: durability: .*"normal".*"full"/,
    );
  });

  it('refuses an empty data folder, and reports every problem at once', () => {
    assertHubError(
      () => parseHubConfig({ dataDir: '', port: 70000 }),
      'INVALID_ARGUMENT',
      /dataDir: .*; port: /,
    );
  });

  it('refuses an idle unload longer than a timer can wait (2^31-1 ms) instead of unloading at once', () => {
    // setTimeout clamps any longer delay to 1 ms: "--idle-unload 30d" would unload boards immediately.
    parseHubConfig({ dataDir: '/data', idleUnloadMs: 2 ** 31 - 1 });
    assertHubError(
      () => parseHubConfig({ dataDir: '/data', idleUnloadMs: 30 * 24 * 3600 * 1000 }),
      'INVALID_ARGUMENT',
      /idleUnloadMs/,
    );
  });

  it('takes the data folder from BOARDHUB_DATA, else the platform data folder', () => {
    assert.equal(defaultDataDir({ BOARDHUB_DATA: '/srv/boards' }), '/srv/boards');
    const platform = defaultDataDir({});
    assert.ok(isAbsolute(platform));
    assert.match(platform, /boardhub$/);
    assert.equal(defaultDataDir({ BOARDHUB_DATA: '' }), platform, 'an empty BOARDHUB_DATA is unset');
  });
});

describe('command-line values', () => {
  describe('durations', () => {
    it('reads 90s, 30m, 12h, 7d and a plain number of milliseconds', () => {
      assert.equal(parseDuration('90s'), 90_000);
      assert.equal(parseDuration('30m'), 30 * 60_000);
      assert.equal(parseDuration('12h'), 12 * 3_600_000);
      assert.equal(parseDuration('7d'), 7 * 86_400_000);
      assert.equal(parseDuration('1500'), 1500);
    });

    it('refuses "soon", "-5m" and "0" with a usage error', () => {
      for (const value of ['soon', '-5m', '0', '5 parsecs', '1e400'])
        assertUsageError(() => parseDuration(value), value);
    });

    it('refuses an empty duration with a usage error naming the option, not an internal error of ms', () => {
      assertUsageError(() => parseDuration(''), 'empty string');
    });
  });

  describe('ports', () => {
    it('reads 0 (pick a free one) up to 65535', () => {
      assert.equal(parsePort('0'), 0);
      assert.equal(parsePort('7420'), 7420);
      assert.equal(parsePort('65535'), 65535);
    });

    it('refuses out-of-range, fractional and non-numeric ports with a usage error', () => {
      for (const value of ['65536', '-1', '80.5', 'http', 'NaN', 'Infinity'])
        assertUsageError(() => parsePort(value), value);
    });

    it('refuses an empty or blank port instead of taking it as 0 (a random port)', () => {
      assertUsageError(() => parsePort(''), 'empty string');
      assertUsageError(() => parsePort('   '), 'blanks');
    });
  });

  describe('byte sizes', () => {
    it('reads 65536, 512KiB and 32MiB', () => {
      assert.equal(parseByteSize('65536'), 65536);
      assert.equal(parseByteSize('512KiB'), 512 * 1024);
      assert.equal(parseByteSize('32MiB'), 32 * 1024 * 1024);
      assert.equal(parseByteSize('32mib'), 32 * 1024 * 1024);
    });

    it('refuses "lots" and other non-sizes with a usage error', () => {
      for (const value of ['lots', '', '-1', '1.5MiB', '5GiB', 'KiB'])
        assertUsageError(() => parseByteSize(value), value);
    });
  });
});

describe('the board WebSocket request path', () => {
  it('yields the board id and the token of /ws/canvas/{boardId}?token=…', () => {
    assert.deepEqual(parseBoardRequest('/ws/canvas/b_Abc-123_xyz?token=eyJ.abc.def'), {
      boardId: 'b_Abc-123_xyz',
      token: 'eyJ.abc.def',
    });
  });

  it('decodes a percent-encoded token and board id', () => {
    assert.deepEqual(parseBoardRequest('/ws/canvas/b%5Fabcdef?token=a%2Eb%2Ec'), {
      boardId: 'b_abcdef',
      token: 'a.b.c',
    });
  });

  it('gives token null when there is none', () => {
    assert.deepEqual(parseBoardRequest('/ws/canvas/b_abcdef'), { boardId: 'b_abcdef', token: null });
    assert.deepEqual(parseBoardRequest('/ws/canvas/b_abcdef?other=1'), { boardId: 'b_abcdef', token: null });
  });

  it('accepts ids of 6 to 64 characters', () => {
    assert.equal(parseBoardRequest(`/ws/canvas/${'a'.repeat(6)}`).boardId, 'aaaaaa');
    assert.equal(parseBoardRequest(`/ws/canvas/${'a'.repeat(64)}`).boardId, 'a'.repeat(64));
  });

  it('refuses other paths with BAD_REQUEST', () => {
    for (const url of [
      undefined,
      '',
      '/',
      '/ws',
      '/ws/canvas',
      '/ws/canvasb_abcdef',
      '/ws/board/b_abcdef',
      '/api/boards',
    ]) {
      assertHubError(() => parseBoardRequest(url), 'BAD_REQUEST');
    }
  });

  it('refuses an empty board id with BAD_REQUEST', () => {
    assertHubError(() => parseBoardRequest('/ws/canvas/'), 'BAD_REQUEST', /board id/);
    assertHubError(() => parseBoardRequest('/ws/canvas/?token=abc'), 'BAD_REQUEST', /board id/);
  });

  it('refuses ids with bad characters with BAD_REQUEST', () => {
    for (const id of [
      'b_abc.def',
      'b_abc%20def',
      'b_abc/def',
      'b_abc%2Fdef',
      '..%2F..%2Fetc',
      'b_abc$def',
      'b_%C3%A4bcdef',
      'b_abcdef%00',
      'b_abc+def',
    ]) {
      assertHubError(() => parseBoardRequest(`/ws/canvas/${id}?token=t`), 'BAD_REQUEST', /board id/);
    }
  });

  it('refuses ids that are too short or too long with BAD_REQUEST', () => {
    assertHubError(() => parseBoardRequest(`/ws/canvas/${'a'.repeat(5)}`), 'BAD_REQUEST');
    assertHubError(() => parseBoardRequest(`/ws/canvas/${'a'.repeat(65)}`), 'BAD_REQUEST');
    assertHubError(() => parseBoardRequest(`/ws/canvas/${'a'.repeat(10_000)}`), 'BAD_REQUEST');
  });

  it('refuses malformed percent-encoding with BAD_REQUEST', () => {
    for (const id of ['b_abc%zzdef', 'b_abcdef%', 'b_abcdef%E0%A4%A', 'b_abcdef%C3', '%ff%fe%fd%fc%fb%fa']) {
      assertHubError(() => parseBoardRequest(`/ws/canvas/${id}`), 'BAD_REQUEST', /board id/);
    }
  });

  it('a refusal is HTTP 400', () => {
    try {
      parseBoardRequest('/nope');
      assert.fail('should have thrown');
    } catch (error) {
      assert.ok(error instanceof HubError);
      assert.equal(error.httpStatus, 400);
    }
  });
});

describe('log redaction', () => {
  it('removes the query string, where tokens travel', () => {
    const redacted = redactUrl('/ws/canvas/b_abcdef?token=eyJhbGciOi.secret.sig');
    assert.equal(redacted, '/ws/canvas/b_abcdef?[redacted]');
    assert.ok(!redacted.includes('secret'));
  });

  it('removes everything after the first "?", however many parameters follow', () => {
    assert.equal(
      redactUrl('ws://127.0.0.1:7420/ws/canvas/b_x?a=1&token=s3cret?b=2'),
      'ws://127.0.0.1:7420/ws/canvas/b_x?[redacted]',
    );
  });

  it('leaves a URL without a query alone, and an absent URL empty', () => {
    assert.equal(redactUrl('/ws/canvas/b_abcdef'), '/ws/canvas/b_abcdef');
    assert.equal(redactUrl(undefined), '');
    assert.equal(redactUrl(''), '');
  });
});
