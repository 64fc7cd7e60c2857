// The help form rendered with TDesign: renders, validates, blocks a bad ID number, keeps a
// draft across a page kill, opens the region picker on the district, and submits through a
// mocked wx.request (the real api/request.js and services underneath).

const { load, render, settle, installWx, calls, tokenPair } = require('./helpers');

const id = load('pages/apply/apply');

const REGIONS = {
  '': [
    { code: '510100000000', name: '成都市', level: 'city', parent_code: null },
    { code: '510115000000', name: '温江区', level: 'district', parent_code: null },
  ],
  '510100000000': [{ code: '510129000000', name: '大邑县', level: 'county', parent_code: '510100000000' }],
  '510115000000': [{ code: '510115001000', name: '柳城街道', level: 'street', parent_code: '510115000000' }],
  '510115001000': [
    { code: '510115001001', name: '光华社区', level: 'community', parent_code: '510115001000' },
    { code: '510115001002', name: '南江社区', level: 'community', parent_code: '510115001000' },
  ],
};

function backend(overrides = {}) {
  return (call) => {
    if (overrides[call.path]) return overrides[call.path](call);
    if (call.path === '/regions') {
      const parent = new URLSearchParams(call.query).get('parent_code') || '';
      return { statusCode: 200, data: { items: REGIONS[parent] || [] } };
    }
    if (call.path === '/privacy-notice') return { statusCode: 200, data: { version: '2026-11', text: '个人信息处理说明全文' } };
    if (call.path === '/auth/wechat/login') return { statusCode: 200, data: tokenPair('r', 'resident', 4) };
    if (call.path === '/me/subscription-templates') {
      return { statusCode: 200, data: [{ event: 'status', template_id: 'tmpl-status', title: '办理进度' }] };
    }
    if (call.path === '/me/subscriptions') return { statusCode: 204 };
    return { statusCode: 404, data: { code: 'not_found', message: '记录不存在' } };
  };
}

function type(page, field, value) {
  page.instance.onInput({ currentTarget: { dataset: { field } }, detail: { value } });
}

function fill(page) {
  type(page, 'name', '张三');
  type(page, 'idNumber', '11010519491231002X');
  type(page, 'phone', '13800001234');
  page.instance.onRegionChange({ detail: { columns: [1, 0, 0].map((index, column) => ({ column, index })) } });
  page.instance.onHelpTypesChange({ detail: { value: ['basic_living'] } });
  page.instance.onConsentChange({ detail: { checked: true } });
}

async function openForm(server, query = { relation: 'self' }) {
  const wx = installWx(server);
  const page = render(id, query);
  await settle();
  return { wx, page };
}

test('the form renders with TDesign fields and the region picker opens on the district', async () => {
  const { page } = await openForm(backend());
  expect(page.querySelector('#name')).toBeTruthy();
  expect(page.querySelector('#submit')).toBeTruthy();
  expect(page.dom.innerHTML).toContain('t-input');
  expect(page.dom.textContent).toContain('提交求助');
  expect(page.data.regionState).toBe('ready');
  // 成都市 and 温江区 both at the top: the picker opens on 温江区, down to a community.
  expect(page.data.regionValue).toEqual([1, 0, 0]);
  expect(page.data.regionRange.map((column) => column.map((r) => r.name))).toEqual([
    ['成都市', '温江区'],
    ['柳城街道'],
    ['光华社区', '南江社区'],
  ]);
});

test('the TDesign region picker opens on the district; turning a column reloads the ones to its right', async () => {
  const { page } = await openForm(backend());
  // t-picker's value: the codes down the district's branch, 温江区 → 柳城街道 → 光华社区.
  expect(page.data.regionCodes).toEqual(['510115000000', '510115001000', '510115001001']);
  expect(page.querySelector('#region')).toBeTruthy();
  expect(page.dom.textContent).toContain('请选择');
  page.instance.openRegionPicker();
  await settle();
  expect(page.data.regionPickerVisible).toBe(true);
  expect(page.dom.innerHTML).toContain('t-picker-item');
  expect(page.dom.textContent).toContain('光华社区');
  expect(page.dom.textContent).toContain('温江区');
  // The rendered t-picker itself stands on 温江区 → 柳城街道 → 光华社区.
  const picker = page.querySelector('#region-picker').instance;
  expect(picker.getColumnIndexes().map((c) => c.index)).toEqual([1, 0, 0]);
  expect(picker.getSelectedValue()[1]).toEqual(['温江区', '柳城街道', '光华社区']);

  // Turning the top column to 成都市: its branch ends in an empty column, not a community.
  await page.instance.onRegionColumnChange({ detail: { column: 0, index: 0 } });
  expect(page.data.regionRange.map((column) => column.map((r) => r.name))).toEqual([['成都市', '温江区'], ['大邑县'], []]);
  expect(page.data.regionCodes).toEqual(['510100000000', '510129000000', '']);
  page.instance.onRegionChange({ detail: { columns: [0, 0, 0].map((index, column) => ({ column, index })) } });
  expect(page.data.errors.regionCode).toBe('请选择到社区或村');
  expect(page.data.regionPickerVisible).toBe(false);
  // Closed by tapping outside (t-picker closes itself): the page follows, so a tap reopens it.
  page.instance.openRegionPicker();
  await settle();
  page.querySelector('#region-picker').instance.onPopupChange({ detail: { visible: false } });
  await settle();
  expect(page.data.regionPickerVisible).toBe(false);

  // Back to 温江区 and down to 南江社区: the cell shows the full name.
  await page.instance.onRegionColumnChange({ detail: { column: 0, index: 1 } });
  page.instance.onRegionChange({ detail: { columns: [1, 0, 1].map((index, column) => ({ column, index })) } });
  await settle();
  expect(page.data.form.regionCode).toBe('510115001002');
  expect(page.data.regionCodes).toEqual(['510115000000', '510115001000', '510115001002']);
  expect(page.dom.textContent).toContain('温江区 柳城街道 南江社区');
});

test("the relation is a TDesign radio group; reporting for someone else asks for the reporter's phone", async () => {
  const { page } = await openForm(backend());
  expect(page.dom.innerHTML).toContain('t-radio');
  expect(page.dom.textContent).toContain('邻居');
  expect(page.dom.textContent).not.toContain('您的电话');
  page.instance.onRelationChange({ detail: { value: 'neighbor' } });
  await settle();
  expect(page.data.form.relation).toBe('neighbor');
  expect(page.data.relationLabel).toBe('邻居');
  expect(page.dom.textContent).toContain('您的电话');
  page.instance.onRelationChange({ detail: { value: 'nonsense' } });
  expect(page.data.form.relation).toBe('neighbor');
});

test('an empty form is not sent: each field says what is missing, in Chinese', async () => {
  const { wx, page } = await openForm(backend());
  page.instance.submit();
  await settle();
  expect(page.data.errors).toMatchObject({
    name: '请填写求助人姓名',
    idNumber: '本人申请须填写身份证号',
    regionCode: '请选择所在社区或村',
    helpTypes: '请至少选择一种求助类型',
    consent: '请阅读并同意个人信息处理规则',
  });
  expect(wx.calls.some((c) => c.path === '/applications')).toBe(false);
  expect(page.dom.textContent).toContain('请至少选择一种求助类型');
});

test('a bad ID number is blocked before any request', async () => {
  const { wx, page } = await openForm(backend());
  fill(page);
  type(page, 'idNumber', '110105194912310021'); // wrong check digit
  page.instance.submit();
  await settle();
  expect(page.data.errors.idNumber).toBe('身份证号校验位不正确');
  expect(wx.calls.some((c) => c.path === '/applications')).toBe(false);
});

test('the form is kept as a draft and restored when the page comes back', async () => {
  const { page } = await openForm(backend());
  type(page, 'name', '李四');
  type(page, 'description', '老人独居，行动不便');
  page.instance.onHide(); // WeChat puts the page away (a phone call)…
  page.detach(); // …and kills it
  const again = render(id, { relation: 'self' });
  await settle();
  expect(again.data.restored).toBe(true);
  expect(again.data.form.name).toBe('李四');
  expect(again.data.form.description).toBe('老人独居，行动不便');
  expect(again.dom.textContent).toContain('已恢复上次未提交的内容');
  again.instance.discardDraft();
  expect(again.data.form.name).toBe('');
});

test('a valid form submits through wx.request with the draft key, consent version and subscriptions', async () => {
  let created = 0;
  const { wx, page } = await openForm(
    backend({
      '/applications': (call) => {
        created += 1;
        return { statusCode: 201, data: { id: 31, reference: 'WJ2026-000031', status: 'submitted' } };
      },
    }),
  );
  wx.answers.requestSubscribeMessage = () => ({ 'tmpl-status': 'accept', errMsg: 'requestSubscribeMessage:ok' });
  fill(page);
  page.instance.submit();
  await settle(12);
  const post = wx.calls.find((c) => c.path === '/applications');
  expect(post.method).toBe('POST');
  expect(post.header.Authorization).toBe('Bearer access-r');
  expect(post.header['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
  expect(post.data).toEqual({
    relation: 'self',
    subject: { name: '张三', region_code: '510115001001', id_number: '11010519491231002X', phone: '13800001234' },
    help_types: ['basic_living'],
    description: '',
    consent: true,
    consent_version: '2026-11',
  });
  expect(created).toBe(1);
  expect(calls(wx, 'requestSubscribeMessage')[0].tmplIds).toEqual(['tmpl-status']);
  expect(wx.calls.find((c) => c.path === '/me/subscriptions').data).toEqual({ accepted: ['tmpl-status'] });
  expect(calls(wx, 'redirectTo')[0].url).toBe('/pages/detail/detail?id=31');
  // Submitted: the draft is gone.
  expect(wx.getStorageSync('jiuzhu.draft.apply.self')).toBe('');
});

test("the server's field errors land on their fields in Chinese, model-level ones too", async () => {
  const { wx, page } = await openForm(
    backend({
      '/applications': () => ({
        statusCode: 422,
        data: {
          code: 'validation_error',
          message: '提交的数据无效',
          errors: [
            { field: 'subject.phone', type: 'string_pattern_mismatch', message: "String should match pattern '^1'" },
            { field: '', type: 'value_error', message: 'Value error, 本人申请须填写身份证号（subject.id_number）' },
          ],
        },
      }),
    }),
  );
  fill(page);
  page.instance.submit();
  await settle(12);
  expect(page.data.errors).toEqual({ phone: '联系电话格式不正确', idNumber: '本人申请须填写身份证号' });
  expect(page.dom.textContent).not.toMatch(/String should match/);
  // The retry of the same body reuses the key: never a second application.
  const first = wx.calls.find((c) => c.path === '/applications').header['Idempotency-Key'];
  page.instance.submit();
  await settle(12);
  const keys = wx.calls.filter((c) => c.path === '/applications').map((c) => c.header['Idempotency-Key']);
  expect(keys).toEqual([first, first]);
});

test('a region list that fails to load says so and offers a retry', async () => {
  require('../../services/regions').clearCache(); // the tree is cached for the app's life
  let up = false;
  const { page } = await openForm(
    backend({ '/regions': (call) => (up ? backend()({ ...call, path: '/regions', query: call.query }) : { fail: 'offline' }) }),
  );
  expect(page.data.regionState).toBe('error');
  expect(page.dom.textContent).toContain('加载失败');
  up = true;
  page.instance.loadRegions();
  await settle();
  expect(page.data.regionState).toBe('ready');
});
