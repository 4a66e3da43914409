/**
 * The web console (`/ui`, docs/operations.md "Web console") in headless Chromium (Debian's `chromium`, driven by
 * playwright-core): a worker with a source and a sink connector and one that fails; the page shows their states,
 * workers, sparklines and the failure with its trace; pause and resume clicked on the page change the state on the
 * page and in the REST API; a 403 on operations (as REST authentication answers a `read` user) makes the console
 * read-only. Screenshots of each step: .cache/ui-screenshots/*.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { KafkaAdmin } from '@kconnect/runtime';
import { type Browser, chromium, type Page } from 'playwright-core';
import { eventually, kafkaAdmin, startWorker, unique, type WorkerHandle } from './harness';
import { testPlugins } from './test-plugins';
import { tickerPlugin } from './ticker-plugin';

/** The page's document, in the functions that run in the browser (the tests compile without the DOM library). */
declare const document: {
  querySelector(s: string): { textContent: string | null } | null;
  querySelectorAll(s: string): Iterable<{ textContent: string | null }>;
};

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.resolve(__dirname, '../../.cache/ui-screenshots');

describe('web console', () => {
  let w: WorkerHandle;
  let admin: KafkaAdmin;
  let browser: Browser;
  let page: Page;
  const topic = unique('ui');
  const src = unique('ui-source');
  const sink = unique('ui-sink');
  const broken = unique('ui-broken');

  const state = async (name: string) => (await w.api('GET', `/connectors/${name}/status`)).body?.connector?.state;
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const pageState = (name: string) => page.locator(`tr[data-connector="${name}"] [data-role=state]`);

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/test.sh does it)`);
    mkdirSync(SHOTS, { recursive: true });
    admin = await kafkaAdmin();
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    w = await startWorker({}, [...testPlugins, tickerPlugin]);
    const create = async (name: string, config: Record<string, string>) => expect((await w.api('POST', '/connectors', { name, config })).status).toBe(201);
    await create(src, { 'connector.class': 'test.kconnect.Ticker', topic, rate: '50' });
    await create(sink, { 'connector.class': 'test.kconnect.TestSinkConnector', topics: topic, 'tasks.max': '1' });
    await create(broken, { 'connector.class': 'test.kconnect.TestSourceConnector', topic, records: '100', 'fail.fatal.after': '0' });
    await eventually(async () => (await state(src)) === 'RUNNING' && (await state(sink)) === 'RUNNING', 30_000, 'connectors RUNNING');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await w?.stop();
    await admin?.deleteTopics([topic]).catch(() => undefined);
    await admin?.deleteGroup(`connect-${sink}`).catch(() => undefined);
    await admin?.close();
  });

  it('shows connectors, tasks, workers, sparklines and the last errors with their traces', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${w.url}/ui?interval=500`);
    expect(new URL(page.url()).pathname).toBe('/ui/');
    await page.waitForSelector('body[data-loaded=true]');
    await expect(pageState(src).textContent()).resolves.toBe('RUNNING');
    await expect(pageState(sink).textContent()).resolves.toBe('RUNNING');
    const worker = (await w.api('GET', `/connectors/${src}/status`)).body.connector.worker_id;
    await expect(page.locator(`tr[data-connector="${src}"] [data-role=worker]`).textContent()).resolves.toBe(worker);
    await expect(page.locator(`tr[data-connector="${src}"] [data-role=tasks] [data-task="0"]`).getAttribute('data-state')).resolves.toBe('RUNNING');
    // The API says what failed, where and when; the page shows the same.
    const task = await eventually(async () => (await w.api('GET', `/connectors/${broken}/status`)).body.tasks[0]?.failure, 10_000, 'failure');
    expect(task).toEqual({ stage: 'TASK_POLL', error_class: 'Error', message: 'boom at record 0', time: expect.any(String) });
    expect(Math.abs(Date.parse(task.time) - Date.now())).toBeLessThan(60_000);
    // The failed connector's task is in the error list with its stage, class, message and trace.
    const failed = page.locator('#errors li', { hasText: `${broken} task 0` });
    await failed.waitFor();
    await expect(failed.locator('.stage').textContent()).resolves.toBe('TASK_POLL');
    await expect(failed.locator('.message').textContent()).resolves.toBe('boom at record 0');
    await expect(failed.locator('pre').textContent()).resolves.toMatch(/^Error: boom at record 0\n\s+at /);
    // Records flow: the sparklines are drawn and the source's rate goes above zero at some point.
    await page.waitForFunction(
      (name) =>
        [...document.querySelectorAll(`tr[data-connector="${name}"] [data-role=rate] .value`)].some((e) => Number((e.textContent ?? '').replace(/,/g, '')) > 0),
      src,
      { timeout: 20_000 },
    );
    expect(await page.locator(`tr[data-connector="${src}"] [data-role=rate] canvas`).count()).toBe(1);
    expect(await page.locator(`tr[data-connector="${sink}"] [data-role=lag] canvas`).count()).toBe(1);
    await shot('1-overview');
    await failed.locator('summary').click();
    await shot('2-error-trace');
    expect(errors).toEqual([]);
  }, 60_000);

  it('pauses and resumes a connector from the page', async () => {
    const buttons = (name: string) => page.locator(`tr[data-connector="${name}"] button`);
    await page.locator(`tr[data-connector="${src}"] button[data-action=pause]`).click();
    await page.waitForFunction((name) => document.querySelector(`tr[data-connector="${name}"] [data-role=state]`)?.textContent === 'PAUSED', src);
    await eventually(async () => (await state(src)) === 'PAUSED', 10_000, 'PAUSED in the API');
    const tasks = (await w.api('GET', `/connectors/${src}/status`)).body.tasks;
    expect(tasks.map((t: { state: string }) => t.state)).toEqual(['PAUSED']);
    await expect(page.locator(`tr[data-connector="${src}"] button[data-action=pause]`).isDisabled()).resolves.toBe(true);
    await expect(page.locator(`tr[data-connector="${src}"] button[data-action=resume]`).isEnabled()).resolves.toBe(true);
    await shot('3-paused');

    await page.locator(`tr[data-connector="${src}"] button[data-action=resume]`).click();
    await page.waitForFunction((name) => document.querySelector(`tr[data-connector="${name}"] [data-role=state]`)?.textContent === 'RUNNING', src);
    await eventually(async () => (await state(src)) === 'RUNNING', 10_000, 'RUNNING in the API');
    await expect(buttons(src).count()).resolves.toBe(4);
    await shot('4-resumed');
  }, 60_000);

  it('turns read-only when the API answers 403 to operations', async () => {
    const ro = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // What REST authentication answers a user with the `read` role only.
    await ro.route('**/connectors/**', (route) =>
      route.request().method() === 'GET'
        ? route.continue()
        : route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error_code: 403, message: 'the operate role is required' }) }),
    );
    await ro.goto(`${w.url}/ui/`);
    await ro.waitForSelector('body[data-loaded=true]');
    expect(await ro.getAttribute('body', 'data-permissions')).toBe('read');
    await expect(ro.locator('#banner').textContent()).resolves.toContain('the operate role is required');
    expect(await ro.locator(`tr[data-connector="${src}"] button[data-action=pause]`).isVisible()).toBe(false);
    await ro.screenshot({ path: path.join(SHOTS, '5-read-only.png'), fullPage: true });
    await ro.close();
    expect(await state(src)).toBe('RUNNING');
  }, 60_000);

  it('serves only the console’s files', async () => {
    for (const p of ['/ui/console.js', '/ui/metrics.js', '/ui/console.css', '/ui/vendor/uPlot.esm.js', '/ui/vendor/uPlot.min.css']) {
      const res = await fetch(w.url + p);
      expect([p, res.status]).toEqual([p, 200]);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect((await fetch(`${w.url}/ui/console.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const p of ['/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/vendor/../../package.json', '/ui/nope.js']) {
      expect([p, (await fetch(w.url + p)).status]).toEqual([p, 404]);
    }
  });
});
