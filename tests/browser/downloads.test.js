// 6. The downloads decode in the browser and hold the map shown on the
// page: the SVG has the 6 areas with the page's fills, the PNG decodes and
// its pixels carry the 5 legend colours. GeoJSON and CSV have 6 areas too.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { observations, readMap, setUp } from './harness.js';

let env;
before(async () => {
  env = await setUp();
});
after(async () => {
  await env?.stop();
});

test('the SVG download parses and has the 6 areas with the fills and legend of the page', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await page.goto(`${env.url}/`);
  const shown = await readMap(page);
  const href = await page.getAttribute('#view a[href^="/mappa.svg?"]', 'href');
  const svg = await page.evaluate(async (url) => {
    const response = await fetch(url);
    const text = await response.text();
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = doc.documentElement;
    // The areas group: the <g> whose children are the areas' links.
    const group = [...root.children].find((g) => g.localName === 'g' && g.querySelector(':scope > a > path'));
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      disposition: response.headers.get('content-disposition'),
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: root.localName,
      namespace: root.namespaceURI,
      width: Number(root.getAttribute('width')),
      height: Number(root.getAttribute('height')),
      title: root.querySelector(':scope > text')?.textContent ?? null,
      paths: group ? group.querySelectorAll(':scope > a > path').length : 0,
      areas: group
        ? [...group.querySelectorAll(':scope > a')].map((a) => ({
            name: a.getAttribute('data-name'),
            value: a.getAttribute('data-value'),
            fill: a.querySelector('path').getAttribute('fill'),
            d: a.querySelector('path').getAttribute('d').length,
          }))
        : [],
      legend: [...root.querySelectorAll(':scope > g > rect')].map((r) => r.getAttribute('fill')),
    };
  }, href);
  assert.equal(svg.status, 200);
  assert.equal(svg.type, 'image/svg+xml');
  assert.match(svg.disposition, /^attachment; filename="interventi-totale-2016\.svg"$/);
  assert.equal(svg.error, null, 'the SVG is well-formed XML');
  assert.equal(svg.root, 'svg');
  assert.equal(svg.namespace, 'http://www.w3.org/2000/svg');
  assert.equal(svg.paths, 6, 'six area paths');
  assert.ok(svg.areas.every((a) => a.d > 100), 'every area has a real outline');
  assert.deepEqual(
    Object.fromEntries(svg.areas.map((a) => [a.name, [a.value, a.fill]])),
    Object.fromEntries(shown.areas.map((a) => [a.name, [a.value, a.fill]])),
    'the same values and fills as the page',
  );
  const colours = shown.legend.filter((l) => !l.nodata).map((l) => l.color);
  assert.deepEqual(svg.legend, [...colours, 'url(#nodata)'], 'the legend: 5 classes and "not available"');
  assert.equal(svg.title, shown.h1, 'titled like the page');
  assert.ok(svg.width === 600 && svg.height > 600, `a 600-unit wide drawing with room for the legend: ${svg.width}x${svg.height}`);
  await context.close();
});

test('the PNG download decodes and its pixels carry the 5 legend colours', async () => {
  const context = await env.browser.newContext({ locale: 'it-IT' });
  const page = await context.newPage();
  await page.goto(`${env.url}/`);
  const shown = await readMap(page);
  const colours = shown.legend.filter((l) => !l.nodata).map((l) => l.color);
  assert.equal(colours.length, 5);
  assert.ok(colours.every((c) => /^#[0-9a-f]{6}$/i.test(c)), `hex colours: ${colours}`);
  const svgHref = await page.getAttribute('#view a[href^="/mappa.svg?"]', 'href');
  const pngHref = await page.getAttribute('#view a[href^="/mappa.png?"]', 'href');
  const png = await page.evaluate(
    async ({ pngUrl, svgUrl, colours }) => {
      const svgText = await (await fetch(svgUrl)).text();
      const svgWidth = Number(new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement.getAttribute('width'));
      const img = new Image();
      img.src = pngUrl;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const wanted = colours.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
      const counts = wanted.map(() => 0);
      let white = 0;
      for (let p = 0; p < data.length; p += 4) {
        const [r, g, b] = [data[p], data[p + 1], data[p + 2]];
        if (r === 255 && g === 255 && b === 255) white++;
        wanted.forEach(([wr, wg, wb], k) => {
          if (Math.abs(r - wr) <= 2 && Math.abs(g - wg) <= 2 && Math.abs(b - wb) <= 2) counts[k]++;
        });
      }
      const type = (await fetch(pngUrl)).headers.get('content-type');
      return { width: img.naturalWidth, height: img.naturalHeight, svgWidth, counts, white, pixels: data.length / 4, type };
    },
    { pngUrl: pngHref, svgUrl: svgHref, colours },
  );
  assert.equal(png.type, 'image/png');
  assert.ok(png.width > 0 && png.height > 0, `the PNG decodes: ${png.width}x${png.height}`);
  assert.equal(png.width, 2 * png.svgWidth, 'rendered at twice the SVG size');
  colours.forEach((colour, k) => {
    // Each class has at least one area (a quartiere is thousands of pixels)
    // and its legend swatch.
    assert.ok(png.counts[k] > 1000, `legend colour ${colour} covers ${png.counts[k]} pixels of the PNG`);
  });
  assert.ok(png.white > png.pixels * 0.2, 'a white background');
  await context.close();
});

test('the GeoJSON and CSV downloads have the 6 areas with the API numbers', async () => {
  const rows = await observations(env.url, { dataset: 'interventi', variable: 'totale', boundaries: '2016' });
  const geo = await (await fetch(`${env.url}/mappa.geojson`)).json();
  assert.equal(geo.type, 'FeatureCollection');
  assert.equal(geo.features.length, 6);
  for (const f of geo.features) {
    assert.equal(f.properties.value, rows.get(f.properties.name).value);
    assert.ok(['Polygon', 'MultiPolygon'].includes(f.geometry?.type), `${f.properties.name} has a geometry`);
  }
  const csv = (await (await fetch(`${env.url}/mappa.csv`)).text()).trim().split(/\r?\n/);
  assert.equal(csv.length, 7, `a header and 6 rows:\n${csv.join('\n')}`);
  assert.ok(csv.some((line) => line.includes('San Donato-San Vitale') && line.includes('8149')), csv.join('\n'));
});
