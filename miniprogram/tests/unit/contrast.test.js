// Elderly users: every text colour in the mini program's styles reaches WCAG AA (4.5:1) on the
// background it is drawn on (white unless the rule sets one), and text sizes are in rem so they
// follow WeChat's font-size setting (<page-meta root-font-size="system">).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const DIRS = ['pages', 'staff', 'components'];

function wxssFiles() {
  const found = ['app.wxss'];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (rel.endsWith('.wxss')) found.push(rel);
    }
  };
  DIRS.forEach(walk);
  return found;
}

function rgb(hex) {
  let h = hex.replace('#', '');
  if (h.length === 3) h = h.split('').map((c) => c + c).join('');
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
}

function luminance(hex) {
  const [r, g, b] = rgb(hex).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

function rules(css) {
  const out = [];
  const re = /([^{}]+)\{([^{}]*)\}/g;
  let m;
  while ((m = re.exec(css.replace(/\/\*[\s\S]*?\*\//g, '')))) out.push({ selector: m[1].trim(), body: m[2] });
  return out;
}

test('every text colour reaches 4.5:1 on its background', () => {
  const failures = [];
  for (const file of wxssFiles()) {
    for (const rule of rules(fs.readFileSync(path.join(ROOT, file), 'utf8'))) {
      const color = /(?:^|[;\s])color:\s*(#[0-9a-fA-F]{3,6})/.exec(rule.body);
      if (!color) continue;
      const background = /background(?:-color)?:\s*(#[0-9a-fA-F]{3,6})/.exec(rule.body);
      const against = background ? background[1] : '#ffffff';
      const ratio = contrast(color[1], against);
      // White text sits on a coloured background set by the rule, or a dark overlay (rgba).
      if (color[1].toLowerCase().startsWith('#fff') && !background) continue;
      if (ratio < 4.5) failures.push(`${file} ${rule.selector}: ${color[1]} on ${against} is ${ratio.toFixed(2)}:1`);
    }
  }
  assert.deepEqual(failures, []);
});

test('the colours the old styles used for hints and placeholders would fail', () => {
  assert.ok(contrast('#888888', '#ffffff') < 4.5);
  assert.ok(contrast('#aaaaaa', '#ffffff') < 4.5);
  assert.ok(contrast('#595959', '#ffffff') >= 7);
});

test('text sizes are in rem (they follow the system font size); every page sets page-meta', () => {
  for (const file of wxssFiles()) {
    for (const m of fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/font-size:\s*(\d+)rpx/g)) {
      // Only the giant help button keeps rpx: it is sized with its circle.
      assert.ok(Number(m[1]) >= 60, `${file}: font-size ${m[1]}rpx does not follow the system setting`);
    }
  }
  const appJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'));
  const pages = [...appJson.pages, ...appJson.subpackages.flatMap((s) => s.pages.map((p) => `${s.root}/${p}`))];
  for (const page of pages) {
    const wxml = fs.readFileSync(path.join(ROOT, `${page}.wxml`), 'utf8');
    assert.match(wxml, /<page-meta root-font-size="system"/, `${page}.wxml has no page-meta`);
  }
});
