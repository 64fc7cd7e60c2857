// Sessions across a cold start, the staff worklist, and the visit form's offline queue.

const { load, render, settle, installWx, calls, tokenPair } = require('./helpers');

const indexPage = load('pages/index/index');
const worklistPage = load('staff/pages/worklist/worklist');
const visitPage = load('staff/pages/visit/visit');
const minePage = load('pages/mine/mine');

/** A phone that was closed: storage survives, nothing in memory does. */
function coldStart(previous, server) {
  const wx = installWx(server);
  previous.storage.forEach((value, key) => wx.storage.set(key, value));
  return wx;
}

function signedInPhone(server) {
  const wx = installWx(server);
  const api = require('../../api/request');
  api.saveSession(tokenPair('staff', 'community_worker', 5));
  api.saveSession(tokenPair('resident', 'resident', 9));
  return wx;
}

const ok = (data, statusCode = 200) => ({ statusCode, data });

function staffBackend(overrides = {}) {
  return (call) => {
    if (overrides[call.path]) return overrides[call.path](call);
    if (call.path === '/me') return ok({ id: 5, role: 'community_worker', kind: 'staff', display_name: '王芳' });
    if (call.path === '/staff/applications') {
      return ok({ items: [{ id: 12, reference: 'WJ2026-000012', status: 'investigating', subject: { name: '张三' } }], next_cursor: null });
    }
    if (call.path === '/staff/visits/due') {
      return ok({ items: [{ household_id: 7, reference: 'HH-7', risk_level: 'high', next_due_on: '2026-12-08', overdue_days: 0, open_warnings: 1 }] });
    }
    if (call.path === '/staff/warnings') {
      return ok({
        items: [
          { id: 3, level: 'red', status: 'dispatched', assignee_id: 5, summary: '水费长期欠缴', person: { name: '李四', id_number_masked: '5101**********1234' } },
          { id: 4, level: 'yellow', status: 'dispatched', assignee_id: 6, summary: '别人的预警', person: null },
        ],
      });
    }
    return { statusCode: 404, data: { code: 'not_found', message: '记录不存在' } };
  };
}

test('after a cold start staff land on their worklist and keep their session; residents keep theirs', async () => {
  const before = signedInPhone(staffBackend());
  const wx = coldStart(before, staffBackend());
  const home = render(indexPage, {});
  await settle();
  expect(calls(wx, 'reLaunch')[0].url).toBe('/staff/pages/worklist/worklist');
  expect(wx.calls.filter((c) => c.path.startsWith('/auth/'))).toEqual([]);
  const api = require('../../api/request');
  expect(api.getSession('staff').accessToken).toBe('access-staff');
  expect(api.getSession('resident').accessToken).toBe('access-resident');
  home.detach();

  // The same phone used as a resident: the resident session is used as it is, staff stays.
  const asResident = render(indexPage, { as: 'resident' });
  await settle();
  expect(wx.logins).toBe(0);
  expect(api.getSession('staff').accessToken).toBe('access-staff');
  expect(asResident.dom.textContent).toContain('返回工作台');
});

test('a resident alone opens on the home page and is signed in once with wx.login', async () => {
  const wx = installWx((call) => (call.path === '/auth/wechat/login' ? ok(tokenPair('r', 'resident', 2)) : ok({})));
  const home = render(indexPage, {});
  await settle();
  expect(calls(wx, 'reLaunch')).toEqual([]);
  expect(wx.logins).toBe(1);
  const again = coldStart(wx, () => ok({}));
  render(indexPage, {});
  await settle();
  expect(again.logins).toBe(0); // the stored resident session survived the restart
  expect(home.dom.textContent).toContain('拨打 12345');
});

test('the worklist shows assigned cases, visits due and my warnings; a failed part offers a retry', async () => {
  let warningsUp = false;
  const wx = signedInPhone(
    staffBackend({
      '/staff/warnings': (call) => (warningsUp ? staffBackend()(call) : { statusCode: 503, data: { code: 'unavailable', message: '服务暂时不可用' } }),
    }),
  );
  const page = render(worklistPage, {});
  await settle(12);
  const appCall = wx.calls.find((c) => c.path === '/staff/applications');
  expect(appCall.query).toContain('assignee_id=5');
  expect(appCall.header.Authorization).toBe('Bearer access-staff');
  expect(page.data.cases.items.map((i) => i.reference)).toEqual(['WJ2026-000012']);
  expect(page.data.visits.items.map((i) => i.reference)).toEqual(['HH-7']);
  expect(page.data.warnings.state).toBe('error');
  expect(page.dom.textContent).toContain('预警加载失败');
  expect(page.dom.textContent).not.toContain('暂无待核实的预警');
  warningsUp = true;
  page.instance.retry();
  await settle(12);
  expect(page.data.warnings.items.map((i) => i.summary)).toEqual(['水费长期欠缴']);
});

test('a visit saved offline waits on the phone and is sent once when the network is back', async () => {
  let online = false;
  const stored = new Map(); // what the server keeps, by Idempotency-Key
  const server = staffBackend({
    '/staff/households/7/visits': (call) => {
      const key = call.header['Idempotency-Key'];
      if (!stored.has(key)) stored.set(key, { id: 40 + stored.size, body: call.data });
      // Offline: the request is lost on the way (or its answer is).
      return online ? ok(stored.get(key), 201) : { fail: 'offline' };
    },
  });
  const wx = signedInPhone(server);
  const visit = render(visitPage, { household: '7', reference: 'HH-7' });
  await settle();
  visit.instance.onCheck({ currentTarget: { dataset: { key: 'food', value: 'concern' } } });
  visit.instance.onRisk({ currentTarget: { dataset: { value: 'medium' } } });
  visit.instance.onInput({ currentTarget: { dataset: { field: 'met' } }, detail: { value: '户主本人' } });
  await visit.instance.save();
  await settle();
  const queue = require('../../utils/visit-queue');
  expect(queue.list().length).toBe(1);
  expect(calls(wx, 'showToast').length + wx.toasts.length).toBeGreaterThan(0);
  expect(wx.toasts.map((t) => t.title)).toContain('已保存在手机上，有网络时自动发送');

  // The phone restarts with the network back; the worklist sends what waited.
  online = true;
  const after = coldStart(wx, server);
  render(worklistPage, {});
  await settle(16);
  expect(require('../../utils/visit-queue').list()).toEqual([]);
  const posts = after.calls.filter((c) => c.path === '/staff/households/7/visits');
  expect(posts.length).toBe(1);
  expect(stored.size).toBe(1); // the same visit is never stored twice
  expect(posts[0].data).toMatchObject({ met: ['户主本人'], checklist: { food: 'concern' }, risk_level_after: 'medium' });
});

test('my applications: a failed load is an error with a retry, never "no applications"', async () => {
  let up = false;
  installWx((call) => {
    if (call.path === '/auth/wechat/login') return ok(tokenPair('r', 'resident', 2));
    if (call.path === '/applications/mine') return up ? ok({ items: [], next_cursor: null }) : { statusCode: 500, data: { code: 'internal', message: '服务器开小差了' } };
    return ok({});
  });
  const page = render(minePage, {});
  await settle(10);
  expect(page.dom.textContent).toContain('没能加载您的求助记录');
  expect(page.dom.textContent).not.toContain('还没有求助记录');
  up = true;
  page.instance.retry();
  await settle(10);
  expect(page.dom.textContent).not.toContain('没能加载');
  expect(page.data.loaded).toBe(true);
  expect(page.dom.innerHTML).toContain('t-empty');
});
