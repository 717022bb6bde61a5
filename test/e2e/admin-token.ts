import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertCliBuilt } from '../helpers/child-hub.js';

const CLI = fileURLToPath(new URL('../../bin/boardhub.js', import.meta.url));

/** `boardhub admin-token --data DIR`, exactly what the login screen tells an admin to run. */
export function issueAdminToken(dataDir: string): Promise<string> {
  assertCliBuilt();
  const env = { ...process.env };
  // The test runner's own markers must not leak into the child.
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, 'admin-token', '--data', dataDir],
      { env, timeout: 30_000 },
      (error, stdout, stderr) => {
        const token = stdout.trim();
        if (error || !token.startsWith('bhadm_')) {
          reject(new Error(`boardhub admin-token failed: ${error?.message ?? stdout}\n${stderr}`));
        } else {
          resolve(token);
        }
      },
    );
  });
}
