// The staff case page: assign from the list the server gives, an internal note, and the reveal
// that asks for a reason first (the server audits it).

const { load, render, settle, installWx, tokenPair } = require('./helpers');

const id = load('staff/pages/case/case');

function caseBody(overrides = {}) {
  return {
    id: 12,
    reference: 'WJ2026-000012',
    status: 'accepted',
    assignee_id: 5,
    channel: 'miniprogram',
    relation: 'self',
    subject: { name: '张三', id_number_masked: '1101**********002X', phone_masked: '138****1234', region_name: '光华社区' },
    help_types: ['basic_living'],
    events: [],
    attachments: [],
    ...overrides,
  };
}

function server(log) {
  return (call) => {
    log.push(`${call.method} ${call.path}`);
    if (call.path === '/staff/applications/12') return { statusCode: 200, data: caseBody() };
    if (call.path === '/staff/applications/12/assignees') {
      return { statusCode: 200, data: [{ id: 6, display_name: '王芳', role: 'community_worker', region_code: '510115001001' }] };
    }
    if (call.path === '/staff/applications/12/assign') return { statusCode: 200, data: caseBody({ assignee_id: call.data.assignee_id }) };
    if (call.path === '/staff/applications/12/notes') return { statusCode: 200, data: caseBody({ events: [{ id: 1, action: 'note', to_status: 'accepted', at: '2026-12-07T10:00:00+08:00', note: call.data.note }] }) };
    if (call.path === '/staff/applications/12/reveal') return { statusCode: 200, data: { id_number: '11010519491231002X', phone: '13800001234' } };
    return { statusCode: 404, data: { code: 'not_found', message: '记录不存在' } };
  };
}

test('a street officer assigns the case to someone the server lists', async () => {
  const log = [];
  installWx(server(log));
  require('../../api/request').saveSession(tokenPair('s', 'street_officer', 3));
  const page = render(id, { id: '12' });
  await settle(8);
  expect(page.data.canAssign).toBe(true);
  expect(page.dom.textContent).toContain('分派承办人');
  await page.instance.startAssign();
  await settle();
  expect(page.data.assignees).toEqual([{ value: 6, label: '王芳（社区工作人员）' }]);
  expect(page.data.assigning).toBe(true);
  expect(page.querySelector('#assignees')).toBeTruthy(); // the TDesign radio group in the dialog
  expect(page.dom.textContent).toContain('王芳（社区工作人员）');
  await page.instance.confirmAssign(); // nobody chosen yet
  expect(log).not.toContain('POST /staff/applications/12/assign');
  page.instance.onAssigneeChange({ detail: { value: 6 } });
  await page.instance.confirmAssign();
  await settle();
  expect(log).toContain('POST /staff/applications/12/assign');
  expect(page.data.detail.assigned).toBe('工作人员 #6');
  expect(page.data.assigning).toBe(false);
});

test('a community worker cannot assign; adds a note; reveals only with a reason', async () => {
  const log = [];
  const wx = installWx(server(log));
  require('../../api/request').saveSession(tokenPair('w', 'community_worker', 5));
  const page = render(id, { id: '12' });
  await settle(8);
  expect(page.data.canAssign).toBe(false);
  expect(page.dom.textContent).not.toContain('分派承办人');

  page.instance.onInput({ currentTarget: { dataset: { field: 'newNote' } }, detail: { value: '已电话联系' } });
  await page.instance.addNote();
  expect(page.data.events.map((e) => e.note)).toEqual(['已电话联系']);
  expect(page.data.newNote).toBe('');

  page.instance.startReveal();
  await settle();
  expect(page.dom.textContent).toContain('查看会记入审计日志'); // the TDesign dialog
  await page.instance.confirmReveal();
  expect(log).not.toContain('POST /staff/applications/12/reveal');
  expect(wx.toasts.map((t) => t.title)).toContain('请填写查看原因（会被记录）');
  page.instance.onInput({ currentTarget: { dataset: { field: 'revealReason' } }, detail: { value: '入户核实身份' } });
  await page.instance.confirmReveal();
  await settle();
  expect(page.data.revealed).toEqual({ idNumber: '11010519491231002X', phone: '13800001234' });
  expect(page.dom.textContent).toContain('11010519491231002X');
});

test('a case that fails to load says so with a retry', async () => {
  let up = false;
  installWx((call) => (up ? server([])(call) : { statusCode: 500, data: { code: 'internal', message: '服务器开小差了' } }));
  require('../../api/request').saveSession(tokenPair('w', 'community_worker', 5));
  const page = render(id, { id: '12' });
  await settle(8);
  expect(page.data.loadState).toBe('error');
  expect(page.dom.textContent).toContain('服务器开小差了');
  up = true;
  page.instance.retry();
  await settle(8);
  expect(page.data.loadState).toBe('ready');
  expect(page.dom.textContent).toContain('WJ2026-000012');
});

function reviewServer(log) {
  return (call) => {
    log.push(`${call.method} ${call.path}`);
    if (call.path === '/staff/applications/12') return { statusCode: 200, data: caseBody({ status: 'reviewing' }) };
    if (call.path === '/staff/applications/12/transitions') {
      log.push(call.data);
      return { statusCode: 200, data: caseBody({ status: 'approved', decision: call.data.decision }) };
    }
    return { statusCode: 404, data: { code: 'not_found', message: '记录不存在' } };
  };
}

test('a transition asks in a TDesign dialog: approving needs a category, then sends the decision', async () => {
  const log = [];
  const wx = installWx(reviewServer(log));
  require('../../api/request').saveSession(tokenPair('d', 'district_officer', 7));
  const page = render(id, { id: '12' });
  await settle(8);
  expect(page.data.actions.map((a) => a.action)).toEqual(['approve', 'deny']);
  expect(page.querySelector('#action-approve')).toBeTruthy();
  expect(page.querySelector('#action-deny')).toBeTruthy();

  page.instance.startAction({ currentTarget: { dataset: { action: 'approve' } } });
  await settle();
  expect(page.data.pending.action).toBe('approve');
  expect(page.querySelector('#categories')).toBeTruthy(); // the radio group in the dialog
  expect(page.dom.textContent).toContain('救助类别');
  await page.instance.confirmAction(); // no category yet: nothing sent
  expect(log.some((l) => l === 'POST /staff/applications/12/transitions')).toBe(false);
  expect(wx.toasts.map((t) => t.title)).toContain('请选择救助类别');

  const category = page.data.categories[0].value;
  page.instance.onCategoryChange({ detail: { value: category } });
  page.instance.onInput({ currentTarget: { dataset: { field: 'monthlyAmount' } }, detail: { value: '870' } });
  page.instance.onInput({ currentTarget: { dataset: { field: 'publicNote' } }, detail: { value: '符合条件' } });
  await page.instance.confirmAction();
  await settle();
  const body = log.find((l) => typeof l === 'object');
  expect(body).toMatchObject({ action: 'approve', public_note: '符合条件', decision: { category, monthly_amount: '870.00' } });
  expect(page.data.pending).toBe(null);
  expect(page.data.detail.status).toBe('approved');
  expect(wx.toasts.map((t) => t.title)).toContain('已批准');
});

test('cancelling a transition dialog sends nothing; denying needs the reason the applicant reads', async () => {
  const log = [];
  const wx = installWx(reviewServer(log));
  require('../../api/request').saveSession(tokenPair('d', 'district_officer', 7));
  const page = render(id, { id: '12' });
  await settle(8);
  page.instance.startAction({ currentTarget: { dataset: { action: 'deny' } } });
  await settle();
  expect(page.querySelector('#categories')).toBeFalsy();
  expect(page.dom.textContent).toContain('确定不予批准');
  await page.instance.confirmAction();
  expect(wx.toasts.map((t) => t.title)).toContain('请填写告知申请人的说明');
  page.instance.cancelAction();
  expect(page.data.pending).toBe(null);
  expect(log.some((l) => l === 'POST /staff/applications/12/transitions')).toBe(false);
});
