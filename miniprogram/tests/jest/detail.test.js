// The resident's case page: the timeline, the photos they sent (downloaded with their token),
// progress messages on request, adding photos only while there is room, and an honest failure.

const { load, render, settle, installWx, calls, tokenPair } = require('./helpers');

const id = load('pages/detail/detail');

function application(overrides = {}) {
  return {
    id: 8,
    reference: 'WJ2026-000008',
    status: 'accepted',
    relation: 'self',
    channel: 'miniprogram',
    subject: { name: '张三', id_number_masked: '1101**********002X', phone_masked: '138****1234' },
    help_types: ['medical'],
    timeline: [
      { status: 'accepted', at: '2026-12-02T09:00:00+08:00', note: '已受理' },
      { status: 'submitted', at: '2026-12-01T09:00:00+08:00' },
    ],
    created_at: '2026-12-01T09:00:00+08:00',
    ...overrides,
  };
}

function backend(photos, extra = {}) {
  return (call) => {
    if (extra[call.path]) return extra[call.path](call);
    if (call.path === '/auth/wechat/login') return { statusCode: 200, data: tokenPair('r', 'resident', 2) };
    if (call.path === '/applications/8') return { statusCode: 200, data: application() };
    if (call.path === '/applications/8/attachments') return { statusCode: 200, data: photos };
    if (call.path.startsWith('/applications/8/attachments/')) return { statusCode: 200 };
    if (call.path === '/me/subscription-templates') return { statusCode: 200, data: [{ event: 'status', template_id: 't1', title: '进度' }] };
    if (call.path === '/me/subscriptions') return { statusCode: 204 };
    return { statusCode: 404, data: { code: 'not_found', message: '记录不存在' } };
  };
}

test('the case page shows the timeline and the photos the resident sent', async () => {
  const photos = [
    { id: 1, content_type: 'image/jpeg', size: 1000 },
    { id: 2, content_type: 'application/pdf', size: 2000 },
  ];
  const wx = installWx(backend(photos));
  const page = render(id, { id: '8' });
  await settle(14);
  expect(page.data.state).toBe('ready');
  expect(page.dom.textContent).toContain('已受理');
  expect(page.dom.textContent).toContain('我上传的材料（2/9）');
  expect(page.data.photos).toEqual([
    { id: 1, isPdf: false, path: 'wxfile://tmp/download' },
    { id: 2, isPdf: true, path: '' },
  ]);
  const download = wx.calls.find((c) => c.kind === 'downloadFile');
  expect(download.path).toBe('/applications/8/attachments/1');
  expect(download.header.Authorization).toBe('Bearer access-r');

  wx.answers.requestSubscribeMessage = () => ({ t1: 'accept' });
  page.instance.subscribeUpdates();
  await settle(8);
  expect(calls(wx, 'requestSubscribeMessage')[0].tmplIds).toEqual(['t1']);
  expect(wx.calls.find((c) => c.path === '/me/subscriptions').data).toEqual({ accepted: ['t1'] });
});

test('with nine photos already, adding more is not offered', async () => {
  const nine = Array.from({ length: 9 }, (_, i) => ({ id: i + 1, content_type: 'application/pdf', size: 10 }));
  const wx = installWx(backend(nine));
  const page = render(id, { id: '8' });
  await settle(14);
  expect(page.dom.textContent).not.toContain('补充照片材料');
  page.instance.addPhotos();
  expect(calls(wx, 'chooseMedia')).toEqual([]);
  expect(wx.toasts.map((t) => t.title)).toContain('最多 9 张，已满');
});

test('a case that fails to load is an error with a retry, not an empty page', async () => {
  let up = false;
  installWx(backend([], { '/applications/8': () => (up ? { statusCode: 200, data: application() } : { fail: 'offline' }) }));
  const page = render(id, { id: '8' });
  await settle(10);
  expect(page.data.state).toBe('error');
  expect(page.dom.textContent).toContain('网络连接失败');
  up = true;
  page.instance.retry();
  await settle(10);
  expect(page.data.state).toBe('ready');
});

test('withdrawing asks first in a TDesign dialog; cancelling sends nothing, confirming calls the API', async () => {
  const sent = [];
  const wx = installWx(
    backend([], {
      '/applications/8/withdraw': (call) => {
        sent.push(call);
        return {
          statusCode: 200,
          data: application({ status: 'withdrawn', timeline: [{ status: 'withdrawn', at: '2026-12-03T09:00:00+08:00' }, ...application().timeline] }),
        };
      },
    }),
  );
  const page = render(id, { id: '8' });
  await settle(14);
  expect(page.querySelector('#withdraw')).toBeTruthy();
  page.instance.withdraw();
  await settle();
  expect(page.data.withdrawing).toBe(true);
  expect(page.dom.innerHTML).toContain('t-dialog');
  expect(page.dom.textContent).toContain('撤回后工作人员将不再处理这条求助');
  page.instance.cancelWithdraw();
  await settle();
  expect(page.data.withdrawing).toBe(false);
  expect(sent).toEqual([]);

  page.instance.withdraw();
  page.instance.onWithdrawReason({ detail: { value: ' 已联系上家属 ' } });
  await page.instance.confirmWithdraw();
  await settle();
  expect(sent.length).toBe(1);
  expect(sent[0].method).toBe('POST');
  expect(sent[0].data).toEqual({ note: '已联系上家属' });
  expect(page.data.withdrawing).toBe(false);
  expect(page.data.application.status).toBe('withdrawn');
  expect(page.data.application.canWithdraw).toBe(false);
  expect(wx.toasts.map((t) => t.title)).toContain('已撤回');
});

test('a refused withdrawal (a decision under way) closes the dialog and shows the fresh state', async () => {
  let gets = 0;
  const wx = installWx(
    backend([], {
      '/applications/8': () => {
        gets += 1;
        return { statusCode: 200, data: application({ status: gets > 1 ? 'reviewing' : 'accepted' }) };
      },
      '/applications/8/withdraw': () => ({ statusCode: 409, data: { code: 'invalid_transition', message: '当前状态不能撤回' } }),
    }),
  );
  const page = render(id, { id: '8' });
  await settle(14);
  page.instance.withdraw();
  await page.instance.confirmWithdraw();
  await settle(14);
  expect(page.data.withdrawing).toBe(false);
  expect(wx.toasts.map((t) => t.title)).toContain('当前状态不能撤回');
  expect(page.data.application.status).toBe('reviewing');
  expect(page.querySelector('#withdraw')).toBeFalsy(); // no longer offered
});
