// jsdom has no setImmediate (the fake wx answers with it, as a phone answers asynchronously).
if (typeof global.setImmediate !== 'function') {
  global.setImmediate = (fn, ...args) => setTimeout(fn, 0, ...args);
}

// miniprogram-simulate defines Component and Behavior; pages are registered with Page(), which
// it does not know. As TDesign's own tests do, a Page is registered as a Component: its data,
// its functions as methods, onLoad (with the query the test sets) and onShow on attach, onUnload
// on detach.
require('miniprogram-simulate');
// Its wx API (system info, selector queries…) is what TDesign components call.
global.__simulateWx = global.wx;

const PAGE_QUERY = Symbol.for('jiuzhu.pageQuery');

global.Page = (options) => {
  const methods = {};
  Object.keys(options).forEach((key) => {
    if (typeof options[key] === 'function') methods[key] = options[key];
  });
  global.Component({
    data: options.data || {},
    methods,
    lifetimes: {
      attached() {
        if (this.onLoad) this.onLoad(global[PAGE_QUERY] || {});
        if (this.onShow) this.onShow();
      },
      detached() {
        if (this.onUnload) this.onUnload();
      },
    },
  });
};

global.getCurrentPages = () => [];
global.getApp = () => ({});
