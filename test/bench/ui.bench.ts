// UI budget figures: the gzip size of the JavaScript index.html loads (budget 120 KB), and the jobs page
// rendering 1,000 jobs in Chromium (time to render, longest main-thread task). Prints figures, fails nothing.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { ensureUiBuilt } from '../../infra/local/ui-build.ts';
import { eventLog } from '../../db/events.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = path.join(ROOT, 'ui', 'dist');
const JS_BUDGET_KB = 120;
const JOBS = 1000;
const PAGE_SIZE = 200;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function initialJavaScript(): { file: string; bytes: number; gzip: number }[] {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g)].map((m) => m[1]!);
  return [...new Set(scripts)].map((src) => {
    const bytes = fs.readFileSync(path.join(DIST, src.replace(/^\//, '')));
    return { file: src, bytes: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
  });
}

async function seedJobs(stack: TestStack): Promise<void> {
  await stack.sql`
    INSERT INTO jobs (id, run_id, pipeline, title, stage, status, input_summary, project, correlation_id, error, created_at, updated_at, finished_at)
    SELECT 'bench-' || lpad(n::text, 5, '0'), 'run-' || n, (ARRAY['generate','scene','lora','campaign','sprites'])[1 + n % 5],
           'Benchmark job ' || n || ': a lighthouse on a cliff at dusk, warm light',
           (ARRAY['generating','completed','failed','cancelled','generating'])[1 + n % 5],
           (ARRAY['RUNNING','COMPLETED','FAILED','CANCELLED','PAUSED'])[1 + n % 5],
           jsonb_build_object('prompt', 'a lighthouse ' || n, 'count', 1 + n % 8, 'width', 1024, 'height', 1024),
           'bench', 'corr-' || n, CASE WHEN n % 5 = 2 THEN 'ComfyUI failed at node 4' END,
           now() - n * interval '1 minute', now() - n * interval '1 minute', CASE WHEN n % 5 IN (1, 2, 3) THEN now() END
    FROM generate_series(1, ${JOBS}) AS n`;
}

async function main(): Promise<void> {
  await ensureUiBuilt((message) => console.log(message));
  const scripts = initialJavaScript();
  const gzipTotal = scripts.reduce((sum, s) => sum + s.gzip, 0);
  console.log('Initial JavaScript (loaded by index.html):');
  for (const s of scripts) console.log(`  ${s.file}: ${kb(s.bytes)} raw, ${kb(s.gzip)} gzip`);
  console.log(`  total gzip ${kb(gzipTotal)} of a ${JS_BUDGET_KB} KB budget: ${gzipTotal <= JS_BUDGET_KB * 1024 ? 'within budget' : 'OVER BUDGET'}`);

  const stack = await startTestStack();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    await seedJobs(stack);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const signIn = await context.request.post(`${stack.apiUrl}/api/session`, { data: { token: stack.token } });
    if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()}`);
    const page = await context.newPage();
    await page.addInitScript(() => {
      const tasks: number[] = [];
      (window as unknown as { longTasks: number[] }).longTasks = tasks;
      new PerformanceObserver((list) => { for (const entry of list.getEntries()) tasks.push(entry.duration); }).observe({ type: 'longtask', buffered: true });
    });

    const rows = page.locator('li.job');
    // the moment (performance.now) the list first holds more than n rows, checked every frame
    const renderedPast = async (n: number) => (await page.waitForFunction((least) => {
      if (document.querySelectorAll('li.job').length <= least) return false;
      return performance.now();
    }, n, { polling: 'raf' })).jsonValue() as Promise<number>;
    const jobsResponses = () => page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => e.name.includes('/api/jobs?')).map((e) => ({ fetchMs: e.duration, end: (e as PerformanceResourceTiming).responseEnd })));

    await page.goto(`${stack.apiUrl}/jobs?limit=${PAGE_SIZE}`);
    const firstPageMs = await renderedPast(PAGE_SIZE - 1);
    const pages: { fetchMs: number; renderMs: number }[] = [];
    const record = async (renderedAt: number) => {
      const response = (await jobsResponses()).at(-1)!;
      pages.push({ fetchMs: response.fetchMs, renderMs: renderedAt - response.end });
    };
    await record(firstPageMs);
    while (await page.locator('button:has-text("Load more")').count()) {
      const shown = await rows.count();
      await page.click('button:has-text("Load more")');
      await record(await renderedPast(shown));
    }
    const allMs = await page.evaluate(() => performance.now());
    const total = await rows.count();

    // a live status change with every row on screen: an event appended as an activity would, then NOTIFY
    const live = rows.filter({ hasText: 'Benchmark job 5:' });
    const sent = Date.now();
    await eventLog(stack.sql).append({ jobId: 'bench-00005', type: 'job.completed', data: { assets: 1 } });
    await live.locator('.badge', { hasText: 'Completed' }).waitFor({ timeout: 10_000 });
    const liveMs = Date.now() - sent;
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);

    console.log(`Jobs page with ${JOBS} jobs seeded (pages of ${PAGE_SIZE}, "Load more" until done):`);
    console.log(`  first ${PAGE_SIZE} rows rendered ${firstPageMs.toFixed(0)} ms after navigation`);
    console.log(`  per page of ${PAGE_SIZE}: API answer ${pages.map((p) => p.fetchMs.toFixed(0)).join(', ')} ms; render after the answer ${pages.map((p) => p.renderMs.toFixed(0)).join(', ')} ms`);
    console.log(`  all ${total} rows rendered ${allMs.toFixed(0)} ms after navigation`);
    console.log(`  a live status change reached its row in ${liveMs} ms (SSE → render, all ${total} rows on screen)`);
    console.log(`  long tasks (> 50 ms): ${longTasks.length}; longest ${longTasks.length ? Math.max(...longTasks).toFixed(0) : 0} ms`);
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
