// Verifying a warning on site from the worklist.

const { load, render, settle, installWx, tokenPair } = require('./helpers');

const id = load('staff/pages/warning/warning');

const WARNING = {
  id: 3,
  level: 'red',
  status: 'dispatched',
  summary: '水费长期欠缴',
  person: { name: '李四', id_number_masked: '5101**********1234' },
  due_at: '2026-12-09T18:00:00+08:00',
  evidence: [{ source: 'utility_arrears', field: 'months', value: '6', threshold: '3' }],
};

test('the evidence is shown; the outcome and findings are required, then sent', async () => {
  const sent = [];
  installWx((call) => {
    if (call.path === '/staff/warnings/3') return { statusCode: 200, data: WARNING };
    if (call.path === '/staff/warnings/3/verify') {
      sent.push(call.data);
      return { statusCode: 200, data: { ...WARNING, status: 'verified', findings: call.data.findings } };
    }
    return { statusCode: 404, data: {} };
  });
  require('../../api/request').saveSession(tokenPair('w', 'community_worker', 5));
  const page = render(id, { id: '3' });
  await settle(8);
  expect(page.dom.textContent).toContain('months：6（阈值 3）');
  await page.instance.verify();
  expect(page.data.formError).toBe('请选择核实结果');
  page.instance.chooseOutcome({ currentTarget: { dataset: { value: 'confirmed' } } });
  page.instance.onInput({ detail: { value: '入户确认已停水' } });
  await page.instance.verify();
  expect(sent).toEqual([{ outcome: 'confirmed', findings: '入户确认已停水' }]);
  expect(page.data.warning.canVerify).toBe(false);
  expect(page.dom.textContent).toContain('已核实：入户确认已停水');
});

test("the server's refusal (not the assignee) is shown in place", async () => {
  installWx((call) => {
    if (call.path === '/staff/warnings/3') return { statusCode: 200, data: WARNING };
    return { statusCode: 403, data: { code: 'not_assignee', message: '只有被派发的工作人员可以核实' } };
  });
  require('../../api/request').saveSession(tokenPair('w', 'community_worker', 5));
  const page = render(id, { id: '3' });
  await settle(8);
  page.instance.chooseOutcome({ currentTarget: { dataset: { value: 'false_alarm' } } });
  page.instance.onInput({ detail: { value: '未见异常' } });
  await page.instance.verify();
  expect(page.data.formError).toBe('只有被派发的工作人员可以核实');
});
