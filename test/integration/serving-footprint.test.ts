import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertCliBuilt, runModuleProbe } from '../helpers/child-hub.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * The process that relays every live edit keeps a small heap: garbage-collection pauses grow with
 * it, and they land on the edits in flight. So a running hub must not have loaded what it only
 * needs on demand or not at all: ajv and fast-json-stringify (the admin API validates with zod,
 * src/net/api/schema.ts), the QR code renderer (loaded when a QR code is drawn), jose (loaded
 * when a share is signed; tokens are verified with node:crypto), the rate
 * limiter's database backends and, while mDNS is off, the mDNS stack (loaded when the hub goes
 * on the LAN). Checked in a fresh process running the compiled hub, so nothing a
 * test itself loaded can hide a regression.
 */
const HUB_MODULE = fileURLToPath(new URL('../../dist/src/hub.js', import.meta.url));

// Every script V8 has compiled, CommonJS and ES modules alike (require.cache would miss the
// latter): enabling the debugger replays a scriptParsed event for each.
const PROBE = `
import { Session } from 'node:inspector';
const { createHub } = await import(process.argv[1]);
const hub = createHub({ dataDir: process.argv[2], host: '127.0.0.1', port: 0, logLevel: 'silent', mdns: false });
await hub.start();
const loaded = new Set();
const session = new Session();
session.connect();
session.on('Debugger.scriptParsed', ({ params }) => loaded.add(params.url));
await new Promise((resolve, reject) => session.post('Debugger.enable', (error) => (error ? reject(error) : resolve())));
session.disconnect();
await hub.stop();
process.stdout.write(JSON.stringify([...loaded]));
`;

function loadedModulesOfRunningHub(dataDir: string): Promise<string[]> {
  return runModuleProbe<string[]>(PROBE, [HUB_MODULE, dataDir]);
}

describe('serving footprint', () => {
  const temp = makeTempDir();
  after(() => temp.remove());

  it('a running hub has not loaded ajv, fast-json-stringify, qrcode, the rate limiter backends, jose or, with mDNS off, bonjour-service', async () => {
    assertCliBuilt();
    const loaded = await loadedModulesOfRunningHub(temp.path);
    const packageOf = (file: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
    const packages = new Set(loaded.map(packageOf).filter((name) => name !== undefined));
    // The probe works: the hub's own CommonJS dependencies are there.
    for (const expected of ['fastify', 'ws', 'better-sqlite3', 'rate-limiter-flexible']) {
      assert.ok(packages.has(expected), `${expected} should be loaded; loaded: ${[...packages].join(', ')}`);
    }
    for (const unwanted of [
      'ajv',
      '@fastify/ajv-compiler',
      '@fastify/fast-json-stringify-compiler',
      'qrcode',
      'jose',
      'bonjour-service',
      'multicast-dns',
      'dns-packet',
    ]) {
      assert.ok(!packages.has(unwanted), `${unwanted} is loaded by a running hub`);
    }
    // fastify's built-in error serializer uses fast-json-stringify's small runtime, not its compiler.
    assert.ok(
      !loaded.some((file) => file.endsWith('/fast-json-stringify/index.js')),
      'the fast-json-stringify compiler is loaded by a running hub',
    );
    const limiterFiles = loaded.filter((file) => file.includes('/rate-limiter-flexible/'));
    assert.ok(
      limiterFiles.every((file) => !/RateLimiter(Redis|Mongo|MySQL|Postgres|Memcache)/.test(file)),
      `rate limiter backends loaded: ${limiterFiles.join(', ')}`,
    );
  });
});
