import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The management UI. Built into dist/renderer/, which the hub serves at `/` and the desktop app
 * loads from files: `base: './'` keeps every asset URL relative so both work. JSX goes through
 * Vite's own transform (oxc) with React's automatic runtime; no React plugin is needed for a build.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The hub's CSP allows no inline script: never inline the module preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    // React Query's "use client" lines are for server components; a plain client bundle ignores them.
    rolldownOptions: { checks: { moduleLevelDirective: false } },
  },
});
