// Rendering pages and components with miniprogram-simulate: each loaded once per test file
// (loading compiles the WXML, the slow part), rendered afresh for each test.

const path = require('path');
const simulate = require('miniprogram-simulate');

const ROOT = path.resolve(__dirname, '..', '..');
const PAGE_QUERY = Symbol.for('jiuzhu.pageQuery');

/** Load a page or component (path from the mini program root, without extension). */
function load(relPath) {
  return simulate.load(path.join(ROOT, relPath), { rootPath: ROOT, less: false });
}

/** Render `id` with the page query `query`, attached to a parent so lifetimes run. */
function render(id, query = {}, properties) {
  global[PAGE_QUERY] = query;
  const component = simulate.render(id, properties);
  component.attach(document.createElement('parent-wrapper'));
  return component;
}

/** Let the fake network and the awaits behind it settle. */
async function settle(rounds = 6) {
  for (let i = 0; i < rounds; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

module.exports = { load, render, settle, ROOT };
