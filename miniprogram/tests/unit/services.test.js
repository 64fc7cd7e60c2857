const test = require('node:test');
const assert = require('node:assert/strict');

const { installFakeWx, tokenPair } = require('./fake-wx');
const api = require('../../api/request');
const auth = require('../../services/auth');
const applications = require('../../services/applications');
const regions = require('../../services/regions');
const staff = require('../../services/staff');

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function ok(data, statusCode = 200) {
  return { statusCode, data };
}

test.beforeEach(() => {
  api.setSessionExpiredHandler(null);
  regions.clearCache();
});

test('a resident without a session is signed in with WeChat before the first call', async () => {
  const wx = installFakeWx((call) =>
    call.path === '/auth/wechat/login' ? ok(tokenPair('r', 'resident', 4)) : ok({ items: [], next_cursor: null }),
  );
  await applications.mine();
  assert.deepEqual(
    wx.calls.map((c) => `${c.method} ${c.path}`),
    ['POST /auth/wechat/login', 'GET /applications/mine'],
  );
  assert.equal(wx.calls[1].header.Authorization, 'Bearer access-r');
  assert.deepEqual(auth.currentUser(), { id: 4, role: 'resident' });
  assert.equal(auth.isStaff(), false);
});

test('a staff member asking for help as a resident keeps the staff session', async () => {
  const wx = installFakeWx((call) => (call.path === '/auth/wechat/login' ? ok(tokenPair('r', 'resident')) : ok({})));
  api.saveSession(tokenPair('s', 'street_officer', 9));
  await applications.get(3);
  assert.deepEqual(wx.calls.map((c) => c.path), ['/auth/wechat/login', '/applications/3']);
  assert.equal(wx.calls[1].header.Authorization, 'Bearer access-r');
  assert.equal(auth.staffSession().accessToken, 'access-s');
  assert.equal(auth.isStaff(), true);
});

test('staff bind their WeChat with username and password, then sign in with WeChat alone', async () => {
  const wx = installFakeWx((call) => ok(tokenPair('s', 'community_worker', 5)));
  await auth.bindStaffWeChat(' wang ', 'pw');
  assert.equal(wx.calls[0].path, '/auth/staff/wechat/bind');
  assert.deepEqual(wx.calls[0].data, { username: 'wang', password: 'pw', code: 'code-1' });
  auth.logout('staff');
  await auth.loginStaffWithWeChat();
  assert.equal(wx.calls[1].path, '/auth/staff/wechat/login');
  assert.deepEqual(wx.calls[1].data, { code: 'code-2' });
  assert.equal(auth.staffSession().user.role, 'community_worker');
});

test('submit posts the body with the Idempotency-Key it is given', async () => {
  const wx = installFakeWx(() => ok({ id: 1, reference: 'WJ2026-000001' }, 201));
  api.saveSession(tokenPair('r', 'resident'));
  const body = { relation: 'self', subject: { name: '张三' }, help_types: ['medical'], consent: true };
  const created = await applications.submit(body, 'form-key-1');
  assert.equal(created.reference, 'WJ2026-000001');
  const call = wx.calls[0];
  assert.equal(call.method, 'POST');
  assert.equal(call.path, '/applications');
  assert.deepEqual(call.data, body);
  assert.equal(call.header['Idempotency-Key'], 'form-key-1');
});

test('submit and uploads make a key when none is given', async () => {
  const wx = installFakeWx((call) => ok({ id: 1 }, 201));
  api.saveSession(tokenPair('r', 'resident'));
  await applications.submit({ relation: 'self' });
  await applications.uploadAttachment(1, 'wxfile://tmp/p.jpg');
  assert.match(wx.calls[0].header['Idempotency-Key'], UUID_V4);
  assert.equal(wx.calls[1].kind, 'uploadFile');
  assert.equal(wx.calls[1].path, '/applications/1/attachments');
  assert.match(wx.calls[1].header['Idempotency-Key'], UUID_V4);
  assert.notEqual(wx.calls[0].header['Idempotency-Key'], wx.calls[1].header['Idempotency-Key']);
});

test('withdraw is not a create and sends no Idempotency-Key', async () => {
  const wx = installFakeWx(() => ok({ id: 2, status: 'withdrawn' }));
  api.saveSession(tokenPair('r', 'resident'));
  await applications.withdraw(2, '已解决');
  assert.equal(wx.calls[0].path, '/applications/2/withdraw');
  assert.deepEqual(wx.calls[0].data, { note: '已解决' });
  assert.equal(wx.calls[0].header['Idempotency-Key'], undefined);
});

test('regions are public and cached per parent', async () => {
  const wx = installFakeWx((call) => ok({ items: [{ code: call.query || 'top' }] }));
  assert.deepEqual(await regions.children(null), [{ code: 'top' }]);
  assert.deepEqual(await regions.children('510115000000'), [{ code: 'parent_code=510115000000' }]);
  await regions.children('510115000000');
  assert.equal(wx.calls.length, 2);
  assert.equal(wx.calls[0].header.Authorization, undefined);
});

test('a failed region load is not cached', async () => {
  let up = false;
  installFakeWx(() => (up ? ok({ items: [] }) : { fail: 'offline' }));
  await assert.rejects(regions.children(null), { code: 'network_error' });
  up = true;
  assert.deepEqual(await regions.children(null), []);
});

test('staff login stores the session; a refused login shows nothing itself', async () => {
  const wx = installFakeWx((call) =>
    call.data.password === 'right'
      ? ok(tokenPair('s', 'street_officer', 5))
      : { statusCode: 401, data: { code: 'invalid_credentials', message: '用户名或密码错误' } },
  );
  await assert.rejects(auth.loginStaff('wang', 'wrong'), { message: '用户名或密码错误' });
  assert.equal(wx.toasts.length, 0, 'the login page shows the message in place');
  await auth.loginStaff(' wang ', 'right');
  assert.deepEqual(wx.calls[1].data, { username: 'wang', password: 'right' });
  assert.equal(auth.isStaff(), true);
  auth.logout();
  assert.equal(auth.currentUser(), null);
});

test('the staff queue passes its filters; overdue only when asked', async () => {
  const wx = installFakeWx(() => ok({ items: [], next_cursor: null }));
  api.saveSession(tokenPair('s', 'street_officer', 5));
  await staff.queue({ status: ['accepted', 'investigating'], overdue: false, q: 'WJ2026' }, { cursor: 'abc' });
  assert.equal(wx.calls[0].path, '/staff/applications');
  assert.equal(wx.calls[0].query, 'status=accepted&status=investigating&q=WJ2026&cursor=abc');
  await staff.queue({ overdue: true });
  assert.equal(wx.calls[1].query, 'overdue=true');
});

test('staff transitions, assignment and notes', async () => {
  const wx = installFakeWx(() => ok({ id: 8, status: 'accepted' }));
  api.saveSession(tokenPair('s', 'street_officer', 5));
  await staff.getCase(8);
  await staff.transition(8, { action: 'accept', note: '', public_note: '' });
  await staff.assign(8, 6, '请入户');
  await staff.addNote(8, '已电话联系');
  assert.deepEqual(
    wx.calls.map((c) => `${c.method} ${c.path}`),
    [
      'GET /staff/applications/8',
      'POST /staff/applications/8/transitions',
      'POST /staff/applications/8/assign',
      'POST /staff/applications/8/notes',
    ],
  );
  assert.deepEqual(wx.calls[1].data, { action: 'accept', note: '', public_note: '' });
  assert.deepEqual(wx.calls[2].data, { assignee_id: 6, note: '请入户' });
});
