// Page weight and first contentful paint of a page in headless Chromium,
// cold cache, for each URL given, alternating URLs for RUNS rounds.
//   node tests/bench/page.mjs RUNS URL [URL...]
// Prints one JSON line per URL: requests, encoded bytes (what crossed the
// wire, from the DevTools protocol), FCP median/min/max in ms.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../browser/package.json'));
const { chromium } = require('playwright-core');

const [runsArg, ...urls] = process.argv.slice(2);
const runs = Number(runsArg);
if (!runs || urls.length === 0) {
  console.error('usage: node page.mjs RUNS URL [URL...]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});

async function measure(url) {
  const context = await browser.newContext({ locale: 'it-IT' }); // fresh context: cold cache
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let bytes = 0;
  let requests = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; requests += 1; });
  await page.goto(url, { waitUntil: 'networkidle' });
  const fcp = await page.evaluate(() => {
    const entry = performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint');
    return entry ? entry.startTime : null;
  });
  await context.close();
  return { bytes, requests, fcp };
}

const results = Object.fromEntries(urls.map((u) => [u, []]));
for (let i = 0; i < runs; i += 1) {
  for (const url of urls) results[url].push(await measure(url));
}
await browser.close();

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
for (const url of urls) {
  const r = results[url];
  const fcps = r.map((x) => x.fcp).filter((x) => x !== null);
  console.log(JSON.stringify({
    url,
    requests: median(r.map((x) => x.requests)),
    bytes: median(r.map((x) => x.bytes)),
    bytes_min: Math.min(...r.map((x) => x.bytes)),
    bytes_max: Math.max(...r.map((x) => x.bytes)),
    fcp_ms_median: Math.round(median(fcps) * 10) / 10,
    fcp_ms_min: Math.round(Math.min(...fcps) * 10) / 10,
    fcp_ms_max: Math.round(Math.max(...fcps) * 10) / 10,
    runs: r.length,
  }));
}
