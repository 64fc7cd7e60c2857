const test = require('node:test');
const assert = require('node:assert/strict');

const { installFakeWx, tokenPair, BASE } = require('./fake-wx');
const api = require('../../api/request');

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function signIn(wx, name = 'a', role = 'resident', id = 1) {
  api.saveSession(tokenPair(name, role, id));
  return wx;
}

test.beforeEach(() => {
  api.setSessionExpiredHandler(null);
});

test('a GET sends the stored token and resolves the body', async () => {
  const wx = signIn(installFakeWx(() => ({ statusCode: 200, data: { items: [], next_cursor: null } })));
  const body = await api.request({ path: '/applications/mine', query: { limit: 20, cursor: null } });
  assert.deepEqual(body, { items: [], next_cursor: null });
  assert.equal(wx.calls.length, 1);
  assert.equal(wx.calls[0].url, `${BASE}/applications/mine?limit=20`);
  assert.equal(wx.calls[0].method, 'GET');
  assert.equal(wx.calls[0].header.Authorization, 'Bearer access-a');
  assert.equal(wx.calls[0].header['Content-Type'], undefined, 'no body, no content type');
  assert.equal(wx.toasts.length, 0);
});

test('query values are encoded, lists repeat, empty values are left out', () => {
  installFakeWx();
  assert.equal(
    api.buildUrl('/staff/applications', { status: ['submitted', 'accepted'], q: '张三 WJ', overdue: undefined, x: '' }),
    `${BASE}/staff/applications?status=submitted&status=accepted&q=%E5%BC%A0%E4%B8%89%20WJ`,
  );
});

test('the session is kept in storage and cleared', () => {
  const wx = installFakeWx();
  assert.equal(api.getSession(), null);
  const session = api.saveSession(tokenPair('s', 'street_officer', 7));
  assert.equal(session.accessToken, 'access-s');
  assert.equal(session.refreshToken, 'refresh-s');
  assert.deepEqual(session.user, { id: 7, role: 'street_officer' });
  assert.ok(session.expiresAt > Date.now());
  assert.ok(wx.storage.has(api.SESSION_KEYS.staff));
  assert.ok(!wx.storage.has(api.SESSION_KEYS.resident), 'a staff pair goes to the staff slot');
  api.clearSession();
  assert.equal(api.getSession(), null);
});

test('a 401 refreshes the tokens once and retries the request with the new token', async () => {
  const wx = signIn(
    installFakeWx((call) => {
      if (call.path === '/auth/refresh') return { statusCode: 200, data: tokenPair('b', 'resident') };
      if (call.header.Authorization === 'Bearer access-b') return { statusCode: 200, data: { id: 1 } };
      return { statusCode: 401, data: { code: 'token_expired', message: '登录已过期' } };
    }),
  );
  const body = await api.request({ path: '/applications/1' });
  assert.deepEqual(body, { id: 1 });
  assert.deepEqual(
    wx.calls.map((c) => `${c.method} ${c.path}`),
    ['GET /applications/1', 'POST /auth/refresh', 'GET /applications/1'],
  );
  assert.deepEqual(wx.calls[1].data, { refresh_token: 'refresh-a' });
  assert.equal(wx.calls[1].header.Authorization, undefined, 'refresh is not sent with the expired token');
  assert.equal(api.getSession().accessToken, 'access-b');
  assert.equal(api.getSession().refreshToken, 'refresh-b');
  assert.equal(wx.toasts.length, 0);
});

test('a request still refused after the retry is not retried again', async () => {
  const expired = [];
  api.setSessionExpiredHandler((role) => expired.push(role));
  const wx = signIn(
    installFakeWx((call) => {
      if (call.path === '/auth/refresh') return { statusCode: 200, data: tokenPair('b', 'street_officer', 3) };
      return { statusCode: 401, data: { code: 'unauthorized', message: '未登录或凭证无效' } };
    }),
    'a',
    'street_officer',
    3,
  );
  await assert.rejects(api.request({ path: '/staff/applications' }), (error) => {
    assert.equal(error.name, 'ApiError');
    assert.equal(error.statusCode, 401);
    assert.equal(error.code, 'unauthorized');
    return true;
  });
  assert.deepEqual(
    wx.calls.map((c) => c.path),
    ['/staff/applications', '/auth/refresh', '/staff/applications'],
  );
  assert.equal(api.getSession(), null);
  assert.deepEqual(expired, ['street_officer']);
  assert.equal(wx.toasts.length, 1);
});

test('a staff session whose refresh is refused is cleared and handed to the expiry handler', async () => {
  const expired = [];
  api.setSessionExpiredHandler((role) => expired.push(role));
  const wx = signIn(
    installFakeWx(() => ({ statusCode: 401, data: { code: 'invalid_refresh_token', message: '登录已失效' } })),
    's',
    'community_worker',
    5,
  );
  await assert.rejects(api.request({ path: '/staff/applications', silent: true }), { statusCode: 401 });
  assert.deepEqual(
    wx.calls.map((c) => c.path),
    ['/staff/applications', '/auth/refresh', '/auth/staff/wechat/login'],
    'a refused refresh tries the bound WeChat before giving up',
  );
  assert.equal(api.getSession(), null);
  assert.deepEqual(expired, ['community_worker']);
  assert.equal(wx.toasts.length, 0, 'silent: the caller shows the error');
});

test('a resident whose refresh is refused signs in again with wx.login and retries', async () => {
  const wx = signIn(
    installFakeWx((call) => {
      if (call.path === '/auth/refresh') return { statusCode: 401, data: { code: 'invalid_refresh_token', message: 'x' } };
      if (call.path === '/auth/wechat/login') return { statusCode: 200, data: tokenPair('w', 'resident', 1) };
      if (call.header.Authorization === 'Bearer access-w') return { statusCode: 200, data: { ok: true } };
      return { statusCode: 401, data: { code: 'token_expired', message: '登录已过期' } };
    }),
  );
  assert.deepEqual(await api.request({ path: '/applications/mine' }), { ok: true });
  assert.deepEqual(
    wx.calls.map((c) => c.path),
    ['/applications/mine', '/auth/refresh', '/auth/wechat/login', '/applications/mine'],
  );
  assert.deepEqual(wx.calls[2].data, { code: 'code-1' });
  assert.equal(wx.logins, 1);
});

test('concurrent 401s share one refresh (refresh tokens are single use)', async () => {
  let refreshes = 0;
  const wx = signIn(
    installFakeWx((call) => {
      if (call.path === '/auth/refresh') {
        refreshes += 1;
        return { statusCode: 200, data: tokenPair('b', 'resident') };
      }
      if (call.header.Authorization === 'Bearer access-b') return { statusCode: 200, data: call.path };
      return { statusCode: 401, data: { code: 'token_expired', message: '登录已过期' } };
    }),
  );
  const results = await Promise.all([
    api.request({ path: '/applications/1' }),
    api.request({ path: '/applications/2' }),
    api.request({ path: '/applications/3' }),
  ]);
  assert.deepEqual(results, ['/applications/1', '/applications/2', '/applications/3']);
  assert.equal(refreshes, 1);
  assert.equal(wx.calls.length, 7);
});

test('a 401 for a token that was refreshed meanwhile retries without refreshing again', async () => {
  const wx = signIn(
    installFakeWx((call) => {
      if (call.header.Authorization === 'Bearer access-a') {
        // Another request refreshed while this one was on the way.
        api.saveSession(tokenPair('c', 'resident'));
        return { statusCode: 401, data: { code: 'token_expired', message: '登录已过期' } };
      }
      return { statusCode: 200, data: 'fine' };
    }),
  );
  assert.equal(await api.request({ path: '/me' }), 'fine');
  assert.deepEqual(
    wx.calls.map((c) => c.header.Authorization),
    ['Bearer access-a', 'Bearer access-c'],
  );
});

test('calls without auth send no token and are not retried on 401', async () => {
  const wx = signIn(installFakeWx(() => ({ statusCode: 401, data: { code: 'invalid_credentials', message: '用户名或密码错误' } })));
  await assert.rejects(
    api.request({ method: 'POST', path: '/auth/staff/login', data: { username: 'u', password: 'p' }, auth: false }),
    { statusCode: 401, code: 'invalid_credentials', message: '用户名或密码错误' },
  );
  assert.equal(wx.calls.length, 1);
  assert.equal(wx.calls[0].header.Authorization, undefined);
  assert.equal(wx.calls[0].header['Content-Type'], 'application/json');
  assert.equal(api.getSession().accessToken, 'access-a', 'a failed staff login leaves the session alone');
  assert.deepEqual(wx.toasts.map((t) => t.title), ['用户名或密码错误']);
});

test("errors carry the server's code and message, and the toast shows the message", async () => {
  const wx = signIn(
    installFakeWx(() => ({
      statusCode: 409,
      data: { code: 'invalid_transition', message: '状态 approved 不能执行 accept', status: 'approved' },
    })),
  );
  await assert.rejects(api.request({ method: 'POST', path: '/staff/applications/1/transitions', data: {} }), (error) => {
    assert.ok(error instanceof api.ApiError);
    assert.equal(error.statusCode, 409);
    assert.equal(error.code, 'invalid_transition');
    assert.equal(error.message, '状态 approved 不能执行 accept');
    assert.equal(error.data.status, 'approved');
    return true;
  });
  assert.deepEqual(wx.toasts, [{ title: '状态 approved 不能执行 accept', icon: 'none', duration: 2500 }]);
});

test('validation errors keep the field list', async () => {
  signIn(
    installFakeWx(() => ({
      statusCode: 422,
      data: {
        code: 'validation_error',
        message: '提交的数据无效',
        errors: [{ field: 'subject.phone', location: 'body', type: 'string_pattern_mismatch', message: 'bad' }],
      },
    })),
  );
  await assert.rejects(api.request({ method: 'POST', path: '/applications', data: {}, silent: true }), (error) => {
    assert.equal(error.code, 'validation_error');
    assert.equal(error.errors[0].field, 'subject.phone');
    return true;
  });
});

test('a response without a JSON error body gets a code from its status and a Chinese message', async () => {
  signIn(installFakeWx(() => ({ statusCode: 502, data: '<html>Bad Gateway</html>' })));
  await assert.rejects(api.request({ path: '/me', silent: true }), {
    statusCode: 502,
    code: 'http_502',
    message: '服务器开小差了，请稍后再试',
  });
  const mapped = api.toApiError(429, null);
  assert.equal(mapped.code, 'http_429');
  assert.equal(mapped.message, '操作太频繁，请稍后再试');
  assert.equal(api.toApiError(413, {}).message, '文件太大，不能超过 10 MB');
});

test('a network failure is a network_error with statusCode 0', async () => {
  const wx = signIn(installFakeWx(() => ({ fail: 'timeout' })));
  await assert.rejects(api.request({ path: '/me' }), { statusCode: 0, code: 'network_error' });
  assert.equal(wx.toasts[0].title, '网络连接失败，请检查网络后重试');
});

test('204 resolves null', async () => {
  signIn(installFakeWx(() => ({ statusCode: 204, data: '' })));
  assert.equal(await api.request({ method: 'DELETE', path: '/x' }), null);
});

test('a POST create carries its Idempotency-Key, the same on the retry after a refresh', async () => {
  const wx = signIn(
    installFakeWx((call) => {
      if (call.path === '/auth/refresh') return { statusCode: 200, data: tokenPair('b', 'resident') };
      if (call.header.Authorization === 'Bearer access-b') return { statusCode: 201, data: { id: 9 } };
      return { statusCode: 401, data: { code: 'token_expired', message: '登录已过期' } };
    }),
  );
  const key = api.newIdempotencyKey();
  assert.match(key, UUID_V4);
  const created = await api.request({ method: 'POST', path: '/applications', data: { a: 1 }, idempotencyKey: key });
  assert.deepEqual(created, { id: 9 });
  const creates = wx.calls.filter((c) => c.path === '/applications');
  assert.equal(creates.length, 2);
  assert.ok(creates.every((c) => c.header['Idempotency-Key'] === key));
  assert.equal(wx.calls.find((c) => c.path === '/auth/refresh').header['Idempotency-Key'], undefined);
});

test('uploads go through wx.uploadFile as multipart "file" with token and Idempotency-Key', async () => {
  const wx = signIn(installFakeWx(() => ({ statusCode: 201, data: { id: 4, content_type: 'image/jpeg', size: 1000 } })));
  const body = await api.upload({ path: '/applications/1/attachments', filePath: 'wxfile://tmp/a.jpg', idempotencyKey: 'k-1' });
  assert.deepEqual(body, { id: 4, content_type: 'image/jpeg', size: 1000 }, 'the string body is parsed');
  const call = wx.calls[0];
  assert.equal(call.kind, 'uploadFile');
  assert.equal(call.name, 'file');
  assert.equal(call.filePath, 'wxfile://tmp/a.jpg');
  assert.equal(call.header.Authorization, 'Bearer access-a');
  assert.equal(call.header['Idempotency-Key'], 'k-1');
});

test('an upload refused as too large shows the server message', async () => {
  const wx = signIn(installFakeWx(() => ({ statusCode: 413, data: { code: 'payload_too_large', message: '文件不能超过 10 MB' } })));
  await assert.rejects(api.upload({ path: '/applications/1/attachments', filePath: 'x' }), { code: 'payload_too_large' });
  assert.equal(wx.toasts[0].title, '文件不能超过 10 MB');
});

test('downloads resolve a local file path', async () => {
  const wx = signIn(installFakeWx(() => ({ statusCode: 200 })));
  assert.equal(await api.download({ path: '/applications/1/attachments/2' }), 'wxfile://tmp/download');
  assert.equal(wx.calls[0].header.Authorization, 'Bearer access-a');
});

test('loginWithWeChat exchanges the wx.login code and stores the tokens; callers share one login', async () => {
  const wx = installFakeWx((call) => ({ statusCode: 200, data: tokenPair(call.data.code, 'resident', 2) }));
  const [a, b] = await Promise.all([api.loginWithWeChat(), api.loginWithWeChat()]);
  assert.equal(a, b);
  assert.equal(wx.logins, 1);
  assert.equal(wx.calls.length, 1);
  assert.equal(wx.calls[0].path, '/auth/wechat/login');
  assert.deepEqual(wx.calls[0].data, { code: 'code-1' });
  assert.equal(api.getSession().accessToken, 'access-code-1');
});

test('a refused WeChat login rejects with the server error', async () => {
  installFakeWx(() => ({ statusCode: 502, data: { code: 'wechat_unavailable', message: '微信服务暂不可用' } }));
  await assert.rejects(api.loginWithWeChat(), { code: 'wechat_unavailable' });
  assert.equal(api.getSession(), null);
});

test('staff and resident sessions are kept apart and each request uses its own', async () => {
  const wx = installFakeWx(() => ({ statusCode: 200, data: {} }));
  api.saveSession(tokenPair('s', 'street_officer', 5));
  api.saveSession(tokenPair('r', 'resident', 6));
  assert.equal(api.getSession('staff').accessToken, 'access-s');
  assert.equal(api.getSession('resident').accessToken, 'access-r');
  await api.request({ path: '/staff/applications' });
  await api.request({ path: '/applications/mine' });
  await api.request({ path: '/me', as: 'staff' });
  assert.deepEqual(
    wx.calls.map((c) => c.header.Authorization),
    ['Bearer access-s', 'Bearer access-r', 'Bearer access-s'],
  );
  api.clearSession('resident');
  assert.equal(api.getSession('staff').accessToken, 'access-s', 'signing out one leaves the other');
});

test('a session stored in the old single slot moves to its own slot', () => {
  const wx = installFakeWx();
  wx.setStorageSync(api.LEGACY_SESSION_KEY, { accessToken: 'old', refreshToken: 'r', user: { id: 3, role: 'community_worker' } });
  assert.equal(api.getSession('staff').accessToken, 'old');
  assert.ok(!wx.storage.has(api.LEGACY_SESSION_KEY));
  assert.equal(api.getSession('resident'), null);
});

test('a staff session whose refresh is refused signs in again with the bound WeChat', async () => {
  const expired = [];
  api.setSessionExpiredHandler((role) => expired.push(role));
  const wx = signIn(
    installFakeWx((call) => {
      if (call.path === '/auth/refresh') return { statusCode: 401, data: { code: 'invalid_refresh_token', message: 'x' } };
      if (call.path === '/auth/staff/wechat/login') return { statusCode: 200, data: tokenPair('w', 'community_worker', 5) };
      if (call.header.Authorization === 'Bearer access-w') return { statusCode: 200, data: { items: [] } };
      return { statusCode: 401, data: { code: 'token_expired', message: 'x' } };
    }),
    's',
    'community_worker',
    5,
  );
  assert.deepEqual(await api.request({ path: '/staff/applications' }), { items: [] });
  assert.deepEqual(wx.calls[2].data, { code: 'code-1' });
  assert.equal(api.getSession('staff').accessToken, 'access-w');
  assert.deepEqual(expired, []);
});

test('a refresh that cannot reach the server keeps the session (staff offline on a visit)', async () => {
  const expired = [];
  api.setSessionExpiredHandler((role) => expired.push(role));
  let online = false;
  signIn(
    installFakeWx((call) => {
      if (!online) return { fail: 'offline' };
      if (call.path === '/auth/refresh') return { statusCode: 200, data: tokenPair('n', 'community_worker', 5) };
      return call.header.Authorization === 'Bearer access-n' ? { statusCode: 200, data: 'ok' } : { statusCode: 401, data: { code: 'token_expired', message: 'x' } };
    }),
    's',
    'community_worker',
    5,
  );
  // The request itself fails first: offline.
  await assert.rejects(api.request({ path: '/staff/applications', silent: true }), { code: 'network_error' });
  online = true;
  // Token expired meanwhile, refresh works once the network is back.
  assert.equal(await api.request({ path: '/staff/applications', silent: true }), 'ok');
  assert.deepEqual(expired, []);
});

test('an offline refresh after a 401 leaves the staff session in place', async () => {
  const expired = [];
  api.setSessionExpiredHandler((role) => expired.push(role));
  signIn(
    installFakeWx((call) => (call.path === '/auth/refresh' ? { fail: 'offline' } : { statusCode: 401, data: { code: 'token_expired', message: 'x' } })),
    's',
    'community_worker',
    5,
  );
  await assert.rejects(api.request({ path: '/staff/applications', silent: true }), { statusCode: 401 });
  assert.equal(api.getSession('staff').accessToken, 'access-s');
  assert.deepEqual(expired, []);
});
