import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (works from src/ under tsx and from dist/src/). */
function readVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'boardhub' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Try the next candidate location.
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
