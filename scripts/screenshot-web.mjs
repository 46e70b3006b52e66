// Writes docs/img/web.png, the README's picture of the live page: builds dist-web/ (skip with
// --no-build), serves it, and in headless chromium plays the hotel scene up to its busiest moment
// (frame 1044 of 1168: 15 pedestrians predicted at once), then pauses and takes the picture.
//   node scripts/screenshot-web.mjs [--no-build] [--out docs/img/web.png]
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, DIST_WEB, buildWeb, serveStatic, launchChromium } from './web-harness.mjs';

const { values } = parseArgs({ options: { 'no-build': { type: 'boolean' }, out: { type: 'string' } } });
const out = resolve(values.out ?? join(ROOT, 'docs', 'img', 'web.png'));
const FRAME = 1044;

if (!values['no-build']) await buildWeb();
const server = await serveStatic(DIST_WEB);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(server.url);
  const until = (fn) => page.waitForFunction(`(() => { const h = window.__edgernn; return !!h && (${fn}); })()`, null, { timeout: 30_000 });
  await until('h.ready');
  // jump to a few seconds before the moment (a fast replay, paused), then play it at real speed
  await page.click('#play');
  await page.$eval('#scrub', (el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, FRAME - 12);
  await until(`h.frame === ${FRAME - 12}`);
  await page.selectOption('#speed', '2');
  await page.click('#play');
  await until(`h.frame >= ${FRAME}`);
  await page.click('#play');
  await until('!h.playing');
  await page.mouse.move(0, 0);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  if (problems.length) throw new Error(`the page logged errors:\n${problems.join('\n')}`);
  console.log(`wrote ${out} (${(statSync(out).size / 1024).toFixed(0)} KB)`);
} finally {
  await browser.close();
  await server.close();
}
