import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import type { Runtime } from '@skein/core';
import { serveConsole, type ConsoleServer } from '@skein/console';
import { napper } from './fixtures/workload.js';
import { multiThread, ticker } from './fixtures/helpers.js';

// Debian's Chromium, installed by .ci/run (`apt-get install -y chromium`); playwright-core
// drives it without downloading a browser of its own.
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `skipping the console's browser test: ${CHROMIUM} is absent (install it with \`apt-get install -y chromium\`)`,
  );

describe.skipIf(!hasChromium)('@skein/console in headless Chromium', () => {
  let rt: Runtime;
  let server: ConsoleServer;
  let browser: Browser;

  beforeAll(async () => {
    rt = await multiThread(2);
    // A known workload: named tasks on the main thread, parked tasks on both workers.
    for (const name of ['heartbeat', 'metrics-flush', 'accept-loop']) ticker(rt, name, name === 'heartbeat' ? 5 : 50);
    for (let i = 0; i < 4; i++) rt.spawn(napper, 600_000);
    server = await serveConsole(rt, { port: 0, intervalMs: 200 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rt?.shutdown();
  });

  it("shows the named tasks live, sorts and filters them, opens a task's detail, and lists the workers", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1024 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(server.url);

    const rows = page.locator('#task-table tbody tr');
    await rows.filter({ hasText: 'heartbeat' }).first().waitFor();
    await expect.poll(() => rows.filter({ hasText: 'napper' }).count(), { timeout: 20_000 }).toBe(4);
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^live/);

    // Filter; the table is sorted by ID, and a click on the sorted column reverses it.
    await page.fill('#filter', 'napper');
    await expect.poll(() => rows.count()).toBe(4);
    const ids = async () => (await page.locator('#task-table tbody tr td:first-child').allTextContents()).map(Number);
    const ascending = await ids();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await page.click('#task-table th[data-key="id"]');
    expect(await ids()).toEqual([...ascending].reverse());
    await page.click('#task-table th[data-key="name"]');
    expect(await page.locator('#task-table th.sorted').textContent()).toBe('Name');
    await page.fill('#filter', '');

    await rows.filter({ hasText: 'heartbeat' }).first().click();
    await expect.poll(() => page.locator('#detail-title').textContent()).toMatch(/heartbeat/);
    // Untracked, the detail falls back to the runtime's poll times, and says so.
    await expect.poll(() => page.locator('#detail-histogram .bar').count()).toBeGreaterThan(0);
    expect(await page.locator('#detail-histogram-title').textContent()).toMatch(/whole runtime/);

    await page.click('nav button[data-view="workers"]');
    await expect.poll(() => page.locator('#worker-table tbody tr').count()).toBe(2);
    await expect.poll(() => page.locator('#runtime-histogram .bar').count()).toBeGreaterThan(0);
    await page.click('nav button[data-view="tasks"]');

    const png = await page.screenshot({ fullPage: false });
    // A PNG of the viewport's size, with more than a blank page's worth of content.
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 1024]);
    expect(png.length).toBeGreaterThan(20_000);
    expect(png.length).toBeLessThan(5_000_000);
    // SKEIN_CONSOLE_SCREENSHOT=path keeps it (the package README's screenshot is taken so).
    const keep = process.env.SKEIN_CONSOLE_SCREENSHOT;
    if (keep !== undefined && keep !== '') await writeFile(keep, png);
    expect(errors).toEqual([]);
  });
});
