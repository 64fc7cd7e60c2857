// The staff triage queue in TDesign: items as cells with tags, filters through tabs, the search
// and the overdue switch, an empty queue through t-empty, a failed load with a retry.

const { load, render, settle, installWx, calls, tokenPair } = require('./helpers');

const id = load('staff/pages/queue/queue');

const ok = (data, statusCode = 200) => ({ statusCode, data });

const ITEMS = [
  {
    id: 12,
    reference: 'WJ2026-000012',
    status: 'submitted',
    priority: 'urgent',
    overdue: true,
    help_types: ['basic_living'],
    subject: { name: '张三', region_name: '光华社区' },
    due_at: '2026-12-09T17:00:00+08:00',
  },
  { id: 13, reference: 'WJ2026-000013', status: 'approved', help_types: ['medical'], subject: { name: '李四', region_name: '南江社区' } },
];

function backend(log, answer) {
  return (call) => {
    if (call.path === '/me') return ok({ id: 3, role: 'street_officer', kind: 'staff', display_name: '刘成' });
    if (call.path === '/staff/applications') {
      log.push(new URLSearchParams(call.query).toString());
      return answer(call);
    }
    return { statusCode: 404, data: { code: 'not_found', message: '记录不存在' } };
  };
}

function open(log, answer) {
  const wx = installWx(backend(log, answer));
  require('../../api/request').saveSession(tokenPair('s', 'street_officer', 3));
  const page = render(id);
  return { wx, page };
}

test('the queue lists cases as TDesign cells with their tags, and a tap opens the case', async () => {
  const log = [];
  const { wx, page } = open(log, () => ok({ items: ITEMS, next_cursor: null }));
  await settle(8);
  expect(page.dom.innerHTML).toContain('t-cell');
  expect(page.dom.innerHTML).toContain('t-tag');
  const text = page.dom.textContent;
  for (const shown of ['WJ2026-000012', '张三', '光华社区', '急难', '超期', '待受理', 'WJ2026-000013', '李四', '已批准', '没有更多了', '刘成']) {
    expect(text).toContain(shown);
  }
  expect(text).not.toContain('没有符合条件的求助');
  expect(page.data.items.map((i) => i.tagTheme)).toEqual(['primary', 'success']);
  // The first tab: new cases only.
  expect(log[0]).toContain('status=submitted');
  page.instance.open({ currentTarget: { dataset: { id: 12 } } });
  expect(calls(wx, 'navigateTo')[0].url).toBe('/staff/pages/case/case?id=12');
});

test('tabs, the overdue switch and the search reload the queue with their filters', async () => {
  const log = [];
  const { page } = open(log, () => ok({ items: [], next_cursor: null }));
  await settle(8);
  page.instance.switchTab({ detail: { value: 1 } });
  await settle();
  expect(log[log.length - 1]).toContain('status=accepted');
  expect(log[log.length - 1]).toContain('status=reviewing');
  page.instance.toggleOverdue({ detail: { value: true } });
  await settle();
  expect(log[log.length - 1]).toContain('overdue=true');
  page.instance.onSearchInput({ detail: { value: ' 张三 ' } });
  page.instance.search();
  await settle();
  expect(new URLSearchParams(log[log.length - 1]).get('q')).toBe('张三');
  const before = log.length;
  page.instance.switchTab({ detail: { value: 1 } }); // the tab already shown: no reload
  await settle();
  expect(log.length).toBe(before);
});

test('an empty queue shows the TDesign empty state, not an error', async () => {
  const { page } = open([], () => ok({ items: [], next_cursor: null }));
  await settle(8);
  expect(page.data.loaded).toBe(true);
  expect(page.querySelector('#empty')).toBeTruthy();
  expect(page.dom.textContent).toContain('没有符合条件的求助');
  expect(page.querySelector('#retry')).toBeFalsy();
});

test('a failed load says why with a retry, never "nothing here"; the retry loads the queue', async () => {
  let up = false;
  const { page } = open([], () => (up ? ok({ items: ITEMS, next_cursor: null }) : { statusCode: 500, data: { code: 'internal', message: '服务器开小差了' } }));
  await settle(8);
  expect(page.dom.textContent).toContain('服务器开小差了');
  expect(page.querySelector('#retry')).toBeTruthy();
  expect(page.querySelector('#empty')).toBeFalsy();
  expect(page.dom.textContent).not.toContain('没有符合条件的求助');
  up = true;
  page.instance.retry();
  await settle(8);
  expect(page.data.error).toBe('');
  expect(page.dom.textContent).toContain('WJ2026-000012');
  expect(page.querySelector('#retry')).toBeFalsy();
});

test('while loading, the TDesign loading indicator shows and no empty state', async () => {
  const { page } = open([], () => ok({ items: [], next_cursor: null }));
  // Before the fake network answers.
  expect(page.data.loading).toBe(true);
  expect(page.dom.innerHTML).toContain('t-loading');
  expect(page.querySelector('#empty')).toBeFalsy();
  await settle(8);
  expect(page.data.loading).toBe(false);
});
