import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdminApi, type ApiResponse, errorCodeOf } from '../helpers/api.js';
import { tryUpgrade } from '../helpers/clients.js';
import { startTestHub, withDatabase } from '../helpers/test-hub.js';

/*
 * The failed-authentication limiter must stop guessing without handing the owner's IP to whoever
 * can make it fail: a web page the operator visits, a guest behind the same address.
 */

const limits = { authFailuresPerMinute: 3 };
const badAdminToken = 'bhadm_AAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
/** What Chromium sends for `<img src="http://127.0.0.1:PORT/api/status">` on another site's page. */
const crossSiteImage = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', accept: 'image/*' };

function assertRefused(response: ApiResponse, status: number, code: string, what: string): void {
  assert.equal(response.status, status, `${what}: ${response.text}`);
  assert.equal(errorCodeOf(response.json), code, what);
}

describe('failed-auth limiter', () => {
  it("a cross-site image request repeated many times locks out neither the admin's token nor a share link", async () => {
    const hub = await startTestHub(limits);
    try {
      const api = AdminApi.for(hub);
      const board = hub.createBoard();
      const link = `${hub.wsBase}/${board}?token=${encodeURIComponent(await hub.share(board, 'edit'))}`;
      for (let i = 0; i < 30; i++) {
        const refused = await api.request('GET', '/api/status', { token: null, headers: crossSiteImage });
        assertRefused(refused, 403, 'CROSS_SITE_REFUSED', `image request ${i}`);
        assert.match(
          String((refused.json as { error: { message: string } }).error.message),
          /another website/,
        );
      }
      const crossSiteUpgrade = await tryUpgrade(link, { 'sec-fetch-site': 'cross-site' });
      assert.equal(crossSiteUpgrade.status, 403, 'a cross-site upgrade is refused too');
      for (let i = 0; i < 10; i++) {
        // No credential at all, not from a browser: 401, but not a failed authentication.
        assertRefused(
          await api.request('GET', '/api/status', { token: null }),
          401,
          'ADMIN_TOKEN_INVALID',
          `tokenless ${i}`,
        );
        assert.equal((await tryUpgrade(`${hub.wsBase}/${board}`)).status, 401, `tokenless upgrade ${i}`);
      }
      assert.equal((await api.request('GET', '/api/status')).status, 200, "the admin's token still works");
      assert.equal((await tryUpgrade(link)).status, 101, 'the share link still works');
      const missingRows = withDatabase(hub.dataDir, (db) =>
        db
          .prepare<[], { n: number }>(
            `SELECT count(*) AS n FROM audit_log WHERE (action = 'admin_auth_failed' AND detail LIKE '%missing%')
               OR (action = 'denied' AND detail LIKE '%TOKEN_MISSING%')`,
          )
          .get(),
      );
      assert.equal(
        missingRows?.n,
        limits.authFailuresPerMinute,
        'tokenless refusals (API and upgrades) are audited up to the per-minute count only',
      );
    } finally {
      await hub.stop();
    }
  });

  it('wrong tokens are still limited, and correct ones pass while their IP is blocked', async () => {
    const hub = await startTestHub(limits);
    try {
      const api = AdminApi.for(hub);
      for (let i = 0; i < 3; i++) {
        assertRefused(
          await api.request('GET', '/api/status', { token: badAdminToken }),
          401,
          'ADMIN_TOKEN_INVALID',
          `try ${i}`,
        );
      }
      const blocked = await api.request('GET', '/api/status', { token: badAdminToken });
      assertRefused(blocked, 429, 'TOO_MANY_FAILURES', 'a wrong token after the limit');
      assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
      assert.equal((await api.request('GET', '/api/status')).status, 200, 'the correct admin token passes');

      const board = hub.createBoard();
      const token = await hub.share(board, 'edit');
      const wrong = await tryUpgrade(`${hub.wsBase}/${board}?token=garbage`);
      assert.equal(wrong.status, 429, 'a wrong share token from the blocked IP');
      assert.equal(errorCodeOf(JSON.parse(wrong.body)), 'TOO_MANY_FAILURES');
      const valid = await tryUpgrade(`${hub.wsBase}/${board}?token=${encodeURIComponent(token)}`);
      assert.equal(valid.status, 101, 'a valid share link passes');
    } finally {
      await hub.stop();
    }
  });

  it('bad share tokens on upgrades count too, shared with the API', async () => {
    const hub = await startTestHub(limits);
    try {
      const board = hub.createBoard();
      for (let i = 0; i < 3; i++) {
        assert.equal((await tryUpgrade(`${hub.wsBase}/${board}?token=garbage${i}`)).status, 401, `try ${i}`);
      }
      const api = AdminApi.for(hub);
      assertRefused(
        await api.request('GET', '/api/status', { token: badAdminToken }),
        429,
        'TOO_MANY_FAILURES',
        'a wrong admin token from the same IP',
      );
    } finally {
      await hub.stop();
    }
  });

  it('the block lasts the documented 5 minutes, from the failure that reaches the limit', async () => {
    const hub = await startTestHub(limits);
    try {
      const api = AdminApi.for(hub);
      for (let i = 0; i < 3; i++) await api.request('GET', '/api/status', { token: badAdminToken });
      const blocked = await api.request('GET', '/api/status', { token: badAdminToken });
      assert.equal(blocked.status, 429);
      const retryAfter = Number(blocked.headers.get('retry-after'));
      assert.ok(retryAfter > 240 && retryAfter <= 300, `Retry-After ${retryAfter} s`);
    } finally {
      await hub.stop();
    }
  });

  it('successful calls and foreign-origin refusals do not count as failures', async () => {
    const hub = await startTestHub(limits);
    try {
      const api = AdminApi.for(hub);
      for (let i = 0; i < 10; i++) {
        assert.equal((await api.request('GET', '/api/status')).status, 200);
        assert.equal(
          (await api.request('GET', '/api/status', { origin: 'http://evil.example' })).status,
          403,
        );
      }
      for (let i = 0; i < 2; i++) await api.request('GET', '/api/status', { token: badAdminToken });
      assertRefused(
        await api.request('GET', '/api/status', { token: badAdminToken }),
        401,
        'ADMIN_TOKEN_INVALID',
        'the third failure is still under the limit',
      );
    } finally {
      await hub.stop();
    }
  });
});
