import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The built management UI (dist/renderer: index.html + hashed assets/) at `/`, for anyone who can
 * reach the hub: these are static files only, the page asks for the admin token and talks to
 * /api/. Every response carries a strict Content-Security-Policy (nothing but our own scripts,
 * styles and API; no framing), so even an injected string in a board name cannot run as script.
 * index.html is revalidated on every load (it names the current assets); the assets are named
 * by their content hash and may be cached for good.
 */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': UI_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const NOT_BUILT =
  'The Boardhub management UI is not built in this installation. Run `npm run build` and restart the hub.\n';

/** The folder holding this package's package.json (named "boardhub"), from src/ under tsx or dist/src/. */
export function packageRoot(from: string = import.meta.url): string | undefined {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'boardhub')
          return dir;
      } catch {
        // Not a readable manifest: keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The configured UI folder, else dist/renderer of the package. */
export function defaultUiDir(): string | undefined {
  const root = packageRoot();
  return root === undefined ? undefined : join(root, 'dist', 'renderer');
}

const isBuilt = (dir: string | undefined): dir is string => {
  try {
    return dir !== undefined && statSync(join(dir, 'index.html')).isFile();
  } catch {
    return false;
  }
};

const withSecurityHeaders = (reply: FastifyReply): FastifyReply => reply.headers(SECURITY_HEADERS);

/**
 * Paths the UI's client-side router owns (GET, HTML wanted, no file extension, not the API or
 * WebSockets): they get index.html, so a reload on /boards/… works.
 */
function isUiRoute(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return (
    request.method === 'GET' &&
    !path.startsWith('/api/') &&
    !path.startsWith('/ws/') &&
    !/\.[A-Za-z0-9]+$/.test(path) &&
    (request.headers.accept ?? '').includes('text/html')
  );
}

export interface UiRoutes {
  /** Answers a request no route took: index.html for the UI's own paths; false when not one of those. */
  fallback(request: FastifyRequest, reply: FastifyReply): FastifyReply | false;
}

export function registerUiRoutes(app: FastifyInstance, uiDir: string | undefined): UiRoutes {
  if (!isBuilt(uiDir)) {
    app.get('/', async (_request, reply) =>
      withSecurityHeaders(reply).code(404).type('text/plain; charset=utf-8').send(NOT_BUILT),
    );
    return { fallback: () => false };
  }
  app.register(fastifyStatic, {
    root: uiDir,
    prefix: '/',
    index: ['index.html'],
    cacheControl: false,
    dotfiles: 'deny',
    setHeaders: (reply, path) => {
      withSecurityHeaders(reply);
      const hashed = relative(uiDir, path).startsWith(`assets${sep}`);
      reply.header('Cache-Control', hashed ? IMMUTABLE : 'no-cache');
    },
  });
  const index = join(uiDir, 'index.html');
  return {
    fallback: (request, reply) => {
      if (!isUiRoute(request)) return false;
      // Read per request: a rebuilt UI is served without restarting the hub.
      return withSecurityHeaders(reply)
        .header('Cache-Control', 'no-cache')
        .type('text/html; charset=utf-8')
        .send(readFileSync(index));
    },
  };
}
