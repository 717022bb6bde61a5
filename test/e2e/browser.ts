import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser: this machine has no
 * internet). BOARDHUB_CHROMIUM points elsewhere on other machines.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILT_UI = `${ROOT}dist/renderer/index.html`;

export function assertRendererBuilt(): void {
  if (!existsSync(BUILT_UI)) {
    throw new Error(
      `The built management UI is missing (${BUILT_UI}); run \`npm run build\` before these tests (npm test does).`,
    );
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.BOARDHUB_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * Saves a screenshot for the README when BOARDHUB_SCREENSHOTS names a folder (npm run
 * screenshots); otherwise the tests write nothing into the repository.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const folder = process.env.BOARDHUB_SCREENSHOTS;
  if (!folder) return;
  const dir = resolve(ROOT, folder);
  mkdirSync(dir, { recursive: true });
  // No hover effect left over from the last click.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${dir}/${name}.png`, animations: 'disabled', caret: 'hide' });
}

// The checks below run in the page; they are strings because this project's Node type check has
// no DOM types.

/** How far the page itself is wider than the window (0 = no sideways scrolling of the page). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return Number(
    await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
  );
}

/** The page's background brightness, 0 (black) to 1 (white). */
export async function backgroundLuminance(page: Page): Promise<number> {
  const color = String(await page.evaluate('getComputedStyle(document.body).backgroundColor'));
  const [r = 0, g = 0, b = 0] = (color.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

/** RFC 4180 CSV (quoted fields, doubled quotes, line breaks inside quotes) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
