const test = require('node:test');
const assert = require('node:assert/strict');

const { checkDigit, validateIdNumber, isValidIdNumber, birthDate, sex } = require('../../utils/idnumber');
const samples = require('./fixtures/id-numbers.json');

const TODAY = new Date(2026, 10, 29);

test('the GB 11643 example number is valid', () => {
  assert.deepEqual(validateIdNumber('11010519491231002X', TODAY), { ok: true, value: '11010519491231002X' });
  assert.equal(checkDigit('11010519491231002'), 'X');
  assert.equal(checkDigit('51011519800101123'), '5'); // as app/kit/idnumber.py computes it
});

test('input is trimmed and upper-cased', () => {
  assert.deepEqual(validateIdNumber(' 11010519491231002x ', TODAY), { ok: true, value: '11010519491231002X' });
});

test('the shape is 17 digits and a check character', () => {
  for (const bad of ['', null, undefined, '1101051949123100', '11010519491231002XX', '1101051949123100AX', 'X10105194912310021']) {
    const result = validateIdNumber(bad, TODAY);
    assert.equal(result.ok, false, String(bad));
    assert.equal(result.reason, '身份证号应为18位，最后一位可为X');
  }
});

test('a wrong check character is refused', () => {
  assert.deepEqual(validateIdNumber('110105194912310021', TODAY), { ok: false, reason: '身份证号校验位不正确' });
});

test('the birth date must exist, be from 1900 and not in the future', () => {
  const withCheck = (first17) => first17 + checkDigit(first17);
  const reason = '身份证号中的出生日期无效';
  assert.deepEqual(validateIdNumber(withCheck('51011520230230123'), TODAY), { ok: false, reason }); // 30 Feb
  assert.deepEqual(validateIdNumber(withCheck('51011518991231123'), TODAY), { ok: false, reason });
  assert.deepEqual(validateIdNumber(withCheck('51011520261130123'), TODAY), { ok: false, reason }); // tomorrow
  assert.equal(isValidIdNumber(withCheck('51011520261129123'), TODAY), true); // born today
  assert.equal(isValidIdNumber(withCheck('51011520000229123'), TODAY), true); // leap day
  assert.equal(isValidIdNumber(withCheck('51011519000229123'), TODAY), false); // 1900 was not a leap year
});

test('birth date and sex come from the number', () => {
  assert.equal(birthDate('11010519491231002X'), '1949-12-31');
  assert.equal(sex('11010519491231002X'), 'female');
  assert.equal(sex('110105194912310010'), 'male');
});

test(`agrees with the server on ${samples.cases.length} generated samples`, () => {
  const [y, m, d] = samples.today.split('-').map(Number);
  const today = new Date(y, m - 1, d);
  for (const [number, valid] of samples.cases) {
    assert.equal(isValidIdNumber(number, today), valid, number);
  }
});
