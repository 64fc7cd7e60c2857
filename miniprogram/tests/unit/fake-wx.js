// A stand-in for the `wx` global: storage in a Map, toasts and calls recorded, and network
// answers from a `server(call)` function the test writes. Answers arrive asynchronously, as on
// a phone. Not a test file itself (node --test only runs *.test.js).

const BASE = 'http://127.0.0.1:8000/api/v1';

function installFakeWx(server) {
  const storage = new Map();
  const wx = {
    storage,
    calls: [],
    toasts: [],
    logins: 0,
    server: server || (() => ({ statusCode: 404, data: { code: 'not_found', message: '记录不存在' } })),

    getStorageSync(key) {
      return storage.has(key) ? JSON.parse(storage.get(key)) : '';
    },
    setStorageSync(key, value) {
      storage.set(key, JSON.stringify(value));
    },
    removeStorageSync(key) {
      storage.delete(key);
    },
    showToast(options) {
      wx.toasts.push(options);
    },
    login(options) {
      wx.logins += 1;
      const code = `code-${wx.logins}`;
      setImmediate(() => options.success({ code, errMsg: 'login:ok' }));
    },
    request(options) {
      answer('request', options);
    },
    uploadFile(options) {
      answer('uploadFile', options);
    },
    downloadFile(options) {
      answer('downloadFile', options);
    },
  };

  function answer(kind, options) {
    const path = options.url.startsWith(BASE) ? options.url.slice(BASE.length) : options.url;
    const call = {
      kind,
      method: options.method || (kind === 'uploadFile' ? 'POST' : 'GET'),
      url: options.url,
      path: path.split('?')[0],
      query: path.includes('?') ? path.slice(path.indexOf('?') + 1) : '',
      header: { ...(options.header || {}) },
      data: options.data,
      filePath: options.filePath,
      name: options.name,
    };
    wx.calls.push(call);
    setImmediate(() => {
      let result;
      try {
        result = wx.server(call);
      } catch (error) {
        options.fail({ errMsg: `${kind}:fail ${error.message}` });
        return;
      }
      if (result && result.fail) {
        options.fail({ errMsg: `${kind}:fail ${result.fail}` });
        return;
      }
      let data = result.data;
      // wx.uploadFile hands back the body as a string.
      if (kind === 'uploadFile' && data !== undefined && typeof data !== 'string') data = JSON.stringify(data);
      if (kind === 'downloadFile') {
        options.success({ statusCode: result.statusCode, tempFilePath: 'wxfile://tmp/download' });
        return;
      }
      options.success({ statusCode: result.statusCode, data, header: {} });
    });
  }

  global.wx = wx;
  return wx;
}

/** A token pair as the API returns it. */
function tokenPair(name, role, id = 1) {
  return {
    access_token: `access-${name}`,
    refresh_token: `refresh-${name}`,
    token_type: 'bearer',
    expires_in: 900,
    user: { id, role },
  };
}

module.exports = { installFakeWx, tokenPair, BASE };
