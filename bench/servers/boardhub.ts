/**
 * Adapter for Boardhub itself, run through its CLI exactly as a user would
 * (`node bin/boardhub.js serve|board create|share create`), driven by y-websocket's stock
 * WebsocketProvider with the share token as a URL parameter.
 *
 * The CLI runs from a snapshot of bin/ + dist/ taken when the bench starts, so a rebuild during
 * the run (e.g. `npm test` in another terminal) cannot mix two builds into one set of figures.
 *
 * Creating a board and a share costs two CLI processes (~0.5 s together), too slow to repeat
 * for 200 boards in every run. So boards are created once into a template data dir (with the
 * hub stopped) and each server start gets a fresh copy of it; the copy carries the hub's key,
 * so the tokens stay valid.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, makeTempDir, type ServerProcess } from '../lib/proc.js';
import { lifecycle, repoRoot, startServer } from './spawn.js';
import type { BoardHandle, PreparedData, RunningServer, ServerAdapter } from './types.js';

const run = promisify(execFile);
const cliTimeoutMs = 30_000;

let snapshotCli: string | undefined;
let mdnsFlagRejected = false;
let template: { dir: string; boards: BoardHandle[] } | undefined;
/** Extra share links in the template, by "board:role" (the abuse scenario's view and edit links). */
const extraShares = new Map<string, BoardHandle>();

/**
 * Copies bin/, dist/ and package.json to a temp dir whose node_modules is a symlink to the
 * repo's, so the copy resolves exactly the dependencies the repo would.
 */
function cli(): string {
  if (snapshotCli) return snapshotCli;
  const dir = makeTempDir('boardhub-build');
  for (const entry of ['bin', 'dist', 'package.json']) {
    cpSync(join(repoRoot, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  snapshotCli = join(dir, 'bin', 'boardhub.js');
  return snapshotCli;
}

async function cliJson<T>(args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [cli(), ...args], { cwd: repoRoot, timeout: cliTimeoutMs });
  // The CLI pretty-prints its JSON; take the outermost object so a banner line cannot break parsing.
  const json = stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1);
  if (json === '') throw new Error(`boardhub ${args.slice(0, 2).join(' ')}: no JSON in output: ${stdout}`);
  return JSON.parse(json) as T;
}

async function createShare(dataDir: string, boardId: string, role: 'view' | 'edit'): Promise<BoardHandle> {
  const share = await cliJson<{ id: string; token: string; url: string }>([
    'share',
    'create',
    '--data',
    dataDir,
    '--board',
    boardId,
    '--role',
    role,
    '--json',
  ]);
  return { room: boardId, params: { token: share.token } };
}

async function createBoard(dataDir: string, name: string): Promise<BoardHandle> {
  const board = await cliJson<{ id: string; name: string }>([
    'board',
    'create',
    '--data',
    dataDir,
    '--name',
    name,
    '--json',
  ]);
  return createShare(dataDir, board.id, 'edit');
}

/** Grows the template data dir to at least `boards` boards, two CLI processes at a time (one per core). */
async function ensureTemplate(boards: number): Promise<{ dir: string; boards: BoardHandle[] }> {
  template ??= { dir: makeTempDir('boardhub-template'), boards: [] };
  const { dir } = template;
  const first = template.boards.length;
  const created: BoardHandle[] = new Array(Math.max(0, boards - first));
  let next = 0;
  // The first command on a fresh folder creates the schema and keys alone: two CLI processes
  // migrating one new database at once can collide ("table hub_meta already exists").
  if (first === 0 && created.length > 0) created[next++] = await createBoard(dir, 'bench-0');
  // Afterwards SQLite's busy_timeout in the hub serialises the two processes' writes.
  const worker = async () => {
    while (next < created.length) {
      const i = next++;
      created[i] = await createBoard(dir, `bench-${first + i}`);
    }
  };
  await Promise.all([worker(), worker()]);
  template.boards.push(...created);
  return template;
}

export const boardhub: ServerAdapter = {
  id: 'boardhub',
  label: 'Boardhub (this repo, bin/boardhub.js)',
  persistent: true,
  warnings: new Set<string>(),

  unavailableReason() {
    if (!existsSync(join(repoRoot, 'bin', 'boardhub.js'))) return 'bin/boardhub.js does not exist yet';
    if (!existsSync(join(repoRoot, 'dist', 'src'))) return 'dist/src is missing (run `npm run build`)';
    return null;
  },

  async setup(boards: number): Promise<void> {
    await ensureTemplate(boards);
  },

  async shareLink(board: number, role: 'view' | 'edit'): Promise<BoardHandle> {
    const key = `${board}:${role}`;
    const known = extraShares.get(key);
    if (known) return known;
    const source = await ensureTemplate(board + 1);
    const handle = await createShare(source.dir, source.boards[board]!.room, role);
    extraShares.set(key, handle);
    return handle;
  },

  async prepare(boards: number): Promise<PreparedData> {
    const source = await ensureTemplate(boards);
    const dir = makeTempDir('boardhub');
    cpSync(source.dir, dir, { recursive: true });
    return { dir, boards: source.boards.slice(0, boards) };
  },

  async start(dataDir: string): Promise<RunningServer> {
    const port = await freePort();
    const args = [cli(), 'serve', '--data', dataDir, '--port', String(port), '--host', '127.0.0.1'];
    let server: ServerProcess;
    try {
      server = await startServer([...args, ...(mdnsFlagRejected ? [] : ['--no-mdns'])], port);
    } catch (error) {
      // The contract says `serve` takes --no-mdns; if this build rejects it, say so once and go on
      // without it rather than benchmarking nothing.
      if (mdnsFlagRejected || !String(error).includes("unknown option '--no-mdns'")) throw error;
      mdnsFlagRejected = true;
      boardhub.warnings.add(
        'contract: `serve` rejects --no-mdns ("unknown option \'--no-mdns\'"); benchmarked without it',
      );
      server = await startServer(args, port);
    }
    return {
      ...lifecycle(server),
      port,
      target: (board) => ({
        kind: 'y-websocket',
        serverUrl: `ws://127.0.0.1:${port}/ws/canvas`,
        room: board.room,
        params: board.params,
      }),
    };
  },
};
