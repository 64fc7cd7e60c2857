const test = require('node:test');
const assert = require('node:assert/strict');

const {
  emptyForm,
  validateApplication,
  applicationBody,
  serverFieldErrors,
  PHONE_PATTERN,
} = require('../../utils/validate');

const TODAY = new Date(2026, 10, 29);

function filled(overrides = {}) {
  return {
    ...emptyForm('self'),
    name: '张三',
    idNumber: '11010519491231002X',
    phone: '13800000000',
    regionCode: '510115001001',
    regionName: '温江区 柳城街道 光华社区',
    helpTypes: ['basic_living'],
    consent: true,
    ...overrides,
  };
}

test('a complete form is valid', () => {
  assert.deepEqual(validateApplication(filled(), TODAY), { valid: true, errors: {} });
});

test('an empty form lists every required field', () => {
  const { valid, errors } = validateApplication(emptyForm('self'), TODAY);
  assert.equal(valid, false);
  assert.deepEqual(Object.keys(errors).sort(), ['consent', 'helpTypes', 'idNumber', 'name', 'regionCode']);
});

test('relation self needs an ID number; reporting someone else does not', () => {
  assert.equal(validateApplication(filled({ idNumber: '' }), TODAY).errors.idNumber, '本人申请须填写身份证号');
  assert.deepEqual(
    validateApplication(filled({ relation: 'neighbor', idNumber: '', reporterPhone: '13900001111' }), TODAY).errors,
    {},
  );
  assert.equal(
    validateApplication(filled({ relation: 'neighbor', idNumber: '110105194912310021' }), TODAY).errors.idNumber,
    '身份证号校验位不正确',
    'a given ID number is checked whoever reports',
  );
});

test('the relation must be one the API knows', () => {
  assert.ok(validateApplication(filled({ relation: 'boss' }), TODAY).errors.relation);
});

test('name: required, at most 50 characters counted as the server counts them', () => {
  assert.ok(validateApplication(filled({ name: '   ' }), TODAY).errors.name);
  assert.equal(validateApplication(filled({ name: '张'.repeat(50) }), TODAY).valid, true);
  assert.ok(validateApplication(filled({ name: '张'.repeat(51) }), TODAY).errors.name);
  assert.equal(validateApplication(filled({ name: '😀'.repeat(50) }), TODAY).valid, true, 'an emoji is one character');
});

test('description: at most 2000 characters', () => {
  assert.equal(validateApplication(filled({ description: '难'.repeat(2000) }), TODAY).valid, true);
  assert.ok(validateApplication(filled({ description: '难'.repeat(2001) }), TODAY).errors.description);
});

test('phone: the server pattern, optional', () => {
  for (const good of ['13800000000', '19912345678', '028-82345678', '02882345678', '0835-1234567']) {
    assert.ok(PHONE_PATTERN.test(good), good);
    assert.equal(validateApplication(filled({ phone: good }), TODAY).valid, true, good);
  }
  for (const bad of ['12800000000', '1380000000', '138000000001', '28-82345678', '+8613800000000', '028-823456']) {
    assert.ok(validateApplication(filled({ phone: bad }), TODAY).errors.phone, bad);
  }
  assert.equal(validateApplication(filled({ phone: '' }), TODAY).valid, true);
});

test('region: a 12-digit code', () => {
  assert.ok(validateApplication(filled({ regionCode: '' }), TODAY).errors.regionCode);
  assert.ok(validateApplication(filled({ regionCode: '5101150010' }), TODAY).errors.regionCode);
});

test('household size: optional, 1 to 30', () => {
  assert.equal(validateApplication(filled({ householdSize: '3' }), TODAY).valid, true);
  for (const bad of ['0', '31', '2.5', 'abc']) {
    assert.ok(validateApplication(filled({ householdSize: bad }), TODAY).errors.householdSize, bad);
  }
});

test('help types: at least one known type', () => {
  assert.ok(validateApplication(filled({ helpTypes: [] }), TODAY).errors.helpTypes);
  assert.ok(validateApplication(filled({ helpTypes: ['money'] }), TODAY).errors.helpTypes);
});

test('consent is required and must be exactly true', () => {
  assert.equal(validateApplication(filled({ consent: false }), TODAY).errors.consent, '请阅读并同意个人信息处理规则');
  assert.ok(validateApplication(filled({ consent: 'true' }), TODAY).errors.consent);
});

test('the body has the API shape: trimmed, optional fields left out when empty', () => {
  const body = applicationBody(
    filled({
      relation: 'family',
      name: ' 张三 ',
      idNumber: '11010519491231002x',
      phone: '',
      address: '  ',
      householdSize: '',
      helpTypes: ['medical', 'medical', 'care'],
      description: ' 需要帮助 ',
    }),
  );
  assert.deepEqual(body, {
    relation: 'family',
    subject: { name: '张三', region_code: '510115001001', id_number: '11010519491231002X' },
    help_types: ['medical', 'care'],
    description: '需要帮助',
    consent: true,
  });
  const full = applicationBody(filled({ address: '光华大道 1 号', householdSize: '4' }));
  assert.deepEqual(full.subject, {
    name: '张三',
    region_code: '510115001001',
    id_number: '11010519491231002X',
    phone: '13800000000',
    address: '光华大道 1 号',
    household_size: 4,
  });
});

test("the server's 422 field errors map onto the form", () => {
  assert.deepEqual(
    serverFieldErrors([
      { field: 'subject.id_number', message: 'Value error, 身份证号校验位不正确' },
      { field: 'subject.region_code', message: 'must be a community or village' },
      { field: 'help_types.0', message: 'Input should be ...' },
      { field: 'unknown', message: 'x' },
    ]),
    {
      idNumber: '身份证号校验位不正确',
      regionCode: '所在社区或村填写有误，请检查',
      helpTypes: '求助类型填写有误，请检查',
      _form: '此项填写有误，请检查',
    },
  );
  assert.deepEqual(serverFieldErrors(undefined), {});
});

test('server errors always read in Chinese, by type, and model-level ones find their field', () => {
  assert.deepEqual(
    serverFieldErrors([
      { field: 'subject.phone', type: 'string_pattern_mismatch', message: "String should match pattern '^1[3-9]'" },
      { field: 'subject.household_size', type: 'less_than_equal', message: 'Input should be less than or equal to 30' },
      { field: '', type: 'value_error', message: 'Value error, 本人申请须填写身份证号（subject.id_number）' },
      { field: '', type: 'value_error', message: 'Value error, 另一个问题' },
    ]),
    {
      phone: '联系电话格式不正确',
      householdSize: '家庭人口不在允许的范围内',
      idNumber: '本人申请须填写身份证号',
      _form: '另一个问题',
    },
  );
});

test('a report about someone else carries the reporter phone and the notice version', () => {
  const form = filled({ relation: 'neighbor', idNumber: '', reporterPhone: '139 0000 1111'.replace(/ /g, ''), reporterName: '李四' });
  assert.equal(validateApplication({ ...form, reporterPhone: '' }, TODAY).errors.reporterPhone, '请留下您的联系电话，方便工作人员回电');
  const body = applicationBody(form, '2026-11');
  assert.deepEqual(body.reporter, { phone: '13900001111', name: '李四' });
  assert.equal(body.consent_version, '2026-11');
  assert.equal(applicationBody(filled(), null).reporter, undefined);
});
