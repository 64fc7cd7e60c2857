// The mini program's structure, checked without WeChat DevTools: every page and component is
// complete, its WXML is well formed and binds only handlers its page defines, and the network
// is reached only through api/request.js.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { installFakeWx } = require('./fake-wx');

const ROOT = path.resolve(__dirname, '..', '..');
const PAGE_FILES = ['.js', '.json', '.wxml', '.wxss'];
// Tooling that never ships (packOptions.ignore): npm build, jest and babel configuration.
const SKIP = new Set(['node_modules', 'miniprogram_npm', 'tests', '.git', 'coverage', 'scripts', 'jest.config.js', 'babel.config.js']);

function read(rel) {
  return fs.readFileSync(path.join(ROOT, rel), 'utf8');
}

function walk(dir = '') {
  const found = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) found.push(...walk(rel));
    } else if (!SKIP.has(entry.name)) {
      found.push(rel);
    }
  }
  return found;
}

const appJson = JSON.parse(read('app.json'));
const pages = [
  ...appJson.pages,
  ...appJson.subpackages.flatMap((sub) => sub.pages.map((p) => path.posix.join(sub.root, p))),
];
const components = Object.values(appJson.usingComponents || {}).map((p) => p.replace(/^\//, ''));

test('every JSON file parses', () => {
  for (const file of walk().filter((f) => f.endsWith('.json'))) {
    assert.doesNotThrow(() => JSON.parse(read(file)), file);
  }
});

test('app.json: resident pages in the main package, staff pages in a subpackage', () => {
  assert.deepEqual(appJson.pages, ['pages/index/index', 'pages/apply/apply', 'pages/mine/mine', 'pages/detail/detail']);
  const staffPackage = appJson.subpackages.find((sub) => sub.root === 'staff');
  assert.ok(staffPackage, 'a staff subpackage');
  assert.deepEqual(staffPackage.pages, [
    'pages/login/login',
    'pages/worklist/worklist',
    'pages/queue/queue',
    'pages/case/case',
    'pages/visit/visit',
    'pages/warning/warning',
  ]);
  assert.equal(appJson.sitemapLocation, 'sitemap.json');
  assert.ok(fs.existsSync(path.join(ROOT, 'sitemap.json')));
});

test('every page and component has its four files', () => {
  for (const page of [...pages, ...components]) {
    for (const ext of PAGE_FILES) {
      assert.ok(fs.existsSync(path.join(ROOT, page + ext)), `${page}${ext} is missing`);
    }
  }
  for (const component of components) {
    assert.equal(JSON.parse(read(`${component}.json`)).component, true, component);
  }
});

/** Tags of a WXML file, checked for balance; returns the handler names it binds. */
function parseWxml(text, file) {
  const stack = [];
  const handlers = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('<', i);
    if (open === -1) break;
    if (text.startsWith('<!--', open)) {
      const end = text.indexOf('-->', open);
      assert.ok(end !== -1, `${file}: unclosed comment`);
      i = end + 3;
      continue;
    }
    let j = open + 1;
    let quote = null;
    while (j < text.length && (quote || text[j] !== '>')) {
      if (quote && text[j] === quote) quote = null;
      else if (!quote && (text[j] === '"' || text[j] === "'")) quote = text[j];
      j += 1;
    }
    assert.ok(j < text.length, `${file}: unclosed tag at ${open}`);
    const tag = text.slice(open + 1, j);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      assert.equal(stack.pop(), name, `${file}: </${name}> closes the wrong tag`);
    } else {
      const name = tag.match(/^[a-zA-Z][\w-]*/);
      assert.ok(name, `${file}: bad tag <${tag.slice(0, 20)}`);
      if (!tag.endsWith('/')) stack.push(name[0]);
      const attr = /(?:^|\s)(?:capture-)?(?:bind|catch|mut-bind):?[a-z]+="([^"{}]+)"/g;
      let m;
      while ((m = attr.exec(tag))) handlers.push(m[1]);
    }
    i = j + 1;
  }
  assert.deepEqual(stack, [], `${file}: unclosed <${stack.join('>, <')}>`);
  return handlers;
}

function loadDefinition(jsFile) {
  let definition = null;
  global.Page = (d) => {
    definition = d;
  };
  global.Component = (d) => {
    definition = { ...d, ...(d.methods || {}) };
  };
  global.App = (d) => {
    definition = d;
  };
  global.getCurrentPages = () => [];
  installFakeWx();
  const resolved = path.join(ROOT, jsFile);
  delete require.cache[resolved];
  require(resolved);
  return definition;
}

test('WXML is well formed and binds only handlers the page defines', () => {
  for (const page of [...pages, ...components]) {
    const handlers = parseWxml(read(`${page}.wxml`), `${page}.wxml`);
    const definition = loadDefinition(`${page}.js`);
    assert.ok(definition, `${page}.js registers a Page or Component`);
    for (const handler of handlers) {
      assert.equal(typeof definition[handler], 'function', `${page}: ${handler} is bound but not defined`);
    }
  }
});

test('app.js registers the App', () => {
  const definition = loadDefinition('app.js');
  assert.equal(typeof definition.onLaunch, 'function');
});

test('components used in page WXML are declared', () => {
  const builtin = new Set([
    'view', 'text', 'button', 'input', 'textarea', 'picker', 'checkbox', 'checkbox-group', 'label',
    'image', 'switch', 'block', 'scroll-view', 'navigator', 'radio', 'radio-group', 'icon', 'page-meta',
  ]);
  for (const page of [...pages, ...components]) {
    const own = JSON.parse(read(`${page}.json`)).usingComponents || {};
    const declared = new Set([...Object.keys(appJson.usingComponents || {}), ...Object.keys(own)]);
    for (const m of read(`${page}.wxml`).matchAll(/<([a-z][\w-]*)/g)) {
      assert.ok(builtin.has(m[1]) || declared.has(m[1]), `${page}: <${m[1]}> is not declared`);
    }
  }
});

test('only api/request.js touches the network', () => {
  for (const file of walk().filter((f) => f.endsWith('.js') && f !== 'api/request.js')) {
    assert.doesNotMatch(read(file), /wx\.(request|uploadFile|downloadFile|connectSocket)\s*\(/, file);
  }
});

test('pages and components reach the API only through services/', () => {
  const viewFiles = walk().filter((f) => f.endsWith('.js') && /^(pages|staff|components)\//.test(f));
  assert.ok(viewFiles.length >= 8);
  for (const file of viewFiles) {
    assert.doesNotMatch(read(file), /require\([^)]*\/api\//, `${file} requires api/ directly`);
  }
});

test('every relative require resolves to a file in the mini program', () => {
  for (const file of walk().filter((f) => f.endsWith('.js'))) {
    for (const m of read(file).matchAll(/require\(['"]([^'"]+)['"]\)/g)) {
      assert.ok(m[1].startsWith('.'), `${file}: require('${m[1]}') is not relative (no npm packages)`);
      const target = path.resolve(ROOT, path.dirname(file), m[1]);
      assert.ok(fs.existsSync(target.endsWith('.js') ? target : `${target}.js`), `${file}: ${m[1]} not found`);
    }
  }
});

test('the API base URL is set in config.js alone', () => {
  for (const file of walk().filter((f) => f.endsWith('.js') && f !== 'config.js')) {
    assert.doesNotMatch(read(file), /https?:\/\//, `${file} names a URL`);
  }
  const config = require('../../config');
  assert.equal(config.resolveApiBase('develop'), 'http://127.0.0.1:8000/api/v1');
  assert.match(config.resolveApiBase('release'), /^https:\/\/.+\/api\/v1$/);
  assert.equal(config.resolveApiBase('unknown'), config.resolveApiBase('develop'));
});

test('the upload package leaves out tests and tooling; the sitemap hides personal pages', () => {
  const project = JSON.parse(read('project.config.json'));
  const ignored = project.packOptions.ignore.map((rule) => rule.value);
  for (const name of ['tests', 'node_modules', 'package.json', 'package-lock.json', 'README.md']) {
    assert.ok(ignored.includes(name), `${name} is not in packOptions.ignore`);
  }
  const sitemap = JSON.parse(read('sitemap.json'));
  assert.deepEqual(sitemap.rules[sitemap.rules.length - 1], { action: 'disallow', page: '*' });
});
