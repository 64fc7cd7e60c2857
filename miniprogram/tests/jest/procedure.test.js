// The resident's case page under a statutory procedure (法定程序): the steps in plain Chinese
// from GET /applications/{id}/procedure, and the documents given to them downloaded with their
// token and opened; a case with no procedure (404) shows no such section.

const { load, render, settle, installWx, calls, tokenPair } = require('./helpers');

const id = load('pages/detail/detail');

const application = {
  id: 8,
  reference: 'WJ2026-000008',
  status: 'reviewing',
  relation: 'self',
  channel: 'miniprogram',
  subject: { name: '张三', id_number_masked: '1101**********002X', phone_masked: '138****1234' },
  help_types: ['basic_living'],
  timeline: [{ status: 'submitted', at: '2026-10-09T09:00:00+08:00' }],
  created_at: '2026-10-09T09:00:00+08:00',
};

const procedure = {
  category_label: '最低生活保障',
  status_text: '正在公示，公示期 7 天',
  steps: [
    { label: '受理', status: 'done', text: '申请已受理', due_on: null, done_on: '2026-10-12' },
    { label: '入户调查', status: 'done', text: '已完成入户调查', due_on: '2026-10-15', done_on: '2026-10-14' },
    { label: '公示期满', status: 'pending', text: '正在公示，公示期 7 天', due_on: '2026-10-23', done_on: null },
  ],
  documents: [
    { id: 5, kind: 'decision', title: '最低生活保障审核确认决定书', applicant_copy: true, created_at: '2026-10-26T10:00:00+08:00' },
  ],
};

function backend(answer) {
  return (call) => {
    if (call.path === '/auth/wechat/login') return { statusCode: 200, data: tokenPair('r', 'resident', 2) };
    if (call.path === '/applications/8') return { statusCode: 200, data: application };
    if (call.path === '/applications/8/attachments') return { statusCode: 200, data: [] };
    if (call.path === '/applications/8/procedure') return answer();
    if (call.path === '/applications/8/documents/5') return { statusCode: 200 };
    return { statusCode: 404, data: { code: 'not_found', message: '记录不存在' } };
  };
}

test('the steps of the procedure read in plain Chinese, and a document downloads and opens', async () => {
  const wx = installWx(backend(() => ({ statusCode: 200, data: procedure })));
  const page = render(id, { id: '8' });
  await settle(16);
  expect(page.data.procedureState).toBe('ready');
  const text = page.dom.textContent;
  expect(text).toContain('办理程序：最低生活保障');
  expect(text).toContain('正在公示，公示期 7 天');
  expect(text).toContain('入户调查');
  expect(text).toContain('2026年10月14日完成');
  expect(text).toContain('期限：2026年10月23日');
  expect(text).toContain('最低生活保障审核确认决定书（2026-10-26）');
  expect(page.data.procedure.steps.map((s) => [s.label, s.stateText])).toEqual([
    ['受理', '已完成'],
    ['入户调查', '已完成'],
    ['公示期满', '办理中'],
  ]);

  // Tapping the document: downloaded with the resident's token, then opened as a PDF.
  page.querySelector('.document').dispatchEvent('tap');
  await settle(10);
  const download = wx.calls.find((c) => c.kind === 'downloadFile' && c.path === '/applications/8/documents/5');
  expect(download).toBeTruthy();
  expect(download.header.Authorization).toBe('Bearer access-r');
  const [opened] = calls(wx, 'openDocument');
  expect(opened.filePath).toBe('wxfile://tmp/download');
  expect(opened.fileType).toBe('pdf');
  expect(page.data.opening).toBe(false);
});

test('a case with no procedure (404) shows no procedure section and no error', async () => {
  installWx(backend(() => ({ statusCode: 404, data: { code: 'procedure_not_found', message: '本案尚未启动法定程序' } })));
  const page = render(id, { id: '8' });
  await settle(16);
  expect(page.data.state).toBe('ready');
  expect(page.data.procedureState).toBe('none');
  expect(page.dom.textContent).not.toContain('办理程序');
  expect(page.querySelector('.document')).toBeFalsy();
});

test('a procedure that fails to load says so with a retry; a failed download says why', async () => {
  let up = false;
  const wx = installWx((call) => {
    if (call.path === '/applications/8/documents/5') return { statusCode: 404 };
    return backend(() => (up ? { statusCode: 200, data: procedure } : { fail: 'offline' }))(call);
  });
  const page = render(id, { id: '8' });
  await settle(16);
  expect(page.data.procedureState).toBe('error');
  expect(page.dom.textContent).toContain('办理程序加载失败');
  up = true;
  page.instance.loadProcedure();
  await settle(8);
  expect(page.data.procedureState).toBe('ready');
  page.instance.openDocument({ currentTarget: { dataset: { id: 5 } } });
  await settle(10);
  expect(calls(wx, 'openDocument')).toEqual([]);
  // A download's body is a file, not JSON: the page says what the status means.
  expect(wx.toasts.map((t) => t.title)).toContain('记录不存在');
  expect(page.data.opening).toBe(false);
});
