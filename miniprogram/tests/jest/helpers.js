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

const { installFakeWx, tokenPair } = require('../unit/fake-wx');

/**
 * The fake wx of the unit tests (storage, network answered by `server`), plus what pages call:
 * navigation, loading, subscriptions, media; every call recorded in `wx.ui`.
 */
function installWx(server) {
  const wx = installFakeWx(server);
  wx.ui = [];
  const record = (name) => (options = {}) => {
    wx.ui.push({ name, options });
    if (options && typeof options.success === 'function' && wx.answers && wx.answers[name]) {
      setImmediate(() => options.success(wx.answers[name](options)));
    }
    if (options && typeof options.complete === 'function') setImmediate(() => options.complete({}));
  };
  [
    'showLoading', 'hideLoading', 'setNavigationBarTitle', 'navigateTo', 'redirectTo', 'reLaunch',
    'navigateBack', 'requestSubscribeMessage', 'chooseMedia', 'showModal', 'previewImage',
    'getLocation', 'makePhoneCall', 'stopPullDownRefresh', 'setClipboardData', 'openDocument',
  ].forEach((name) => {
    wx[name] = record(name);
  });
  wx.answers = {};
  const simulated = global.__simulateWx || {};
  Object.keys(simulated).forEach((key) => {
    if (!(key in wx)) wx[key] = simulated[key];
  });
  return wx;
}

/** The recorded calls to wx.<name>. */
function calls(wx, name) {
  return wx.ui.filter((c) => c.name === name).map((c) => c.options);
}

/** Let the fake network and the awaits behind it settle. */
async function settle(rounds = 6) {
  for (let i = 0; i < rounds; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

module.exports = { load, render, settle, installWx, calls, tokenPair, ROOT };
