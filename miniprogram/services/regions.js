// The region tree for the picker (public, cached for the life of the mini program).

const api = require('../api/request');

const cache = new Map();

/** Children of `parentCode`, or the top level when it is null: [{code, name, level, parent_code}]. */
async function children(parentCode) {
  const key = parentCode || '';
  if (!cache.has(key)) {
    const loading = api
      .request({ path: '/regions', query: parentCode ? { parent_code: parentCode } : {}, auth: false })
      .then((body) => body.items);
    cache.set(key, loading);
    loading.catch(() => cache.delete(key));
  }
  return cache.get(key);
}

function clearCache() {
  cache.clear();
}

module.exports = { children, clearCache };
