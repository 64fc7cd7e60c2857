// Resident identity numbers (居民身份证号, GB 11643-1999), the same rules as app/kit/idnumber.py:
// 17 digits and a check character (0-9 or X), a real birth date from 1900 to today, and the
// ISO 7064 MOD 11-2 checksum.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
const SHAPE = /^\d{17}[\dX]$/;

function checkDigit(first17) {
  let total = 0;
  for (let i = 0; i < 17; i += 1) total += Number(first17[i]) * WEIGHTS[i];
  return CHECK[total % 11];
}

function birthDateParts(number) {
  return {
    year: Number(number.slice(6, 10)),
    month: Number(number.slice(10, 12)),
    day: Number(number.slice(12, 14)),
  };
}

function isRealDate(year, month, day) {
  if (month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function ymd(date) {
  return date.getFullYear() * 10000 + (date.getMonth() + 1) * 100 + date.getDate();
}

/**
 * Check an ID number. Returns {ok: true, value} with the normalised (trimmed, upper-case)
 * number, or {ok: false, reason} with a reason in Chinese for the form.
 */
function validateIdNumber(input, today) {
  const number = String(input == null ? '' : input).trim().toUpperCase();
  if (!SHAPE.test(number)) return { ok: false, reason: '身份证号应为18位，最后一位可为X' };
  const { year, month, day } = birthDateParts(number);
  const born = year * 10000 + month * 100 + day;
  if (!isRealDate(year, month, day) || year < 1900 || born > ymd(today || new Date())) {
    return { ok: false, reason: '身份证号中的出生日期无效' };
  }
  if (checkDigit(number.slice(0, 17)) !== number[17]) {
    return { ok: false, reason: '身份证号校验位不正确' };
  }
  return { ok: true, value: number };
}

function isValidIdNumber(input, today) {
  return validateIdNumber(input, today).ok;
}

/** 'YYYY-MM-DD' of a valid number. */
function birthDate(number) {
  const { year, month, day } = birthDateParts(number);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** 'male' or 'female' from the 17th digit. */
function sex(number) {
  return Number(number[16]) % 2 ? 'male' : 'female';
}

module.exports = { checkDigit, validateIdNumber, isValidIdNumber, birthDate, sex };
