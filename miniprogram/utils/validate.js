// The apply form's rules, mirroring the server (app/intake/schemas.py) so residents see a
// problem next to the field instead of after a round trip. The server stays the authority.

const { validateIdNumber } = require('./idnumber');
const { HELP_TYPE_LABELS, RELATION_LABELS } = require('./format');

const PHONE_PATTERN = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
const REGION_PATTERN = /^\d{12}$/;
const LIMITS = { name: 50, description: 2000, address: 200, householdSizeMin: 1, householdSizeMax: 30 };

const RELATIONS = Object.keys(RELATION_LABELS);
const HELP_TYPES = Object.keys(HELP_TYPE_LABELS);

/** Characters as Python counts them (code points, so an emoji is one, not two). */
function length(text) {
  return Array.from(text).length;
}

function trimmed(value) {
  return value == null ? '' : String(value).trim();
}

/** An empty form, as the apply page starts it. */
function emptyForm(relation) {
  return {
    relation: relation || 'self',
    name: '',
    idNumber: '',
    phone: '',
    regionCode: '',
    regionName: '',
    address: '',
    householdSize: '',
    helpTypes: [],
    description: '',
    reporterName: '',
    reporterPhone: '',
    consent: false,
  };
}

/**
 * Check the form. Returns {valid, errors} where errors maps a form field to a message in
 * Chinese; `today` is for the ID number's birth date (tests pass a fixed day).
 */
function validateApplication(form, today) {
  const errors = {};
  if (!RELATIONS.includes(form.relation)) errors.relation = '请选择与求助人的关系';

  const name = trimmed(form.name);
  if (!name) errors.name = '请填写求助人姓名';
  else if (length(name) > LIMITS.name) errors.name = `姓名不能超过${LIMITS.name}个字`;

  const idNumber = trimmed(form.idNumber);
  if (idNumber) {
    const checked = validateIdNumber(idNumber, today);
    if (!checked.ok) errors.idNumber = checked.reason;
  } else if (form.relation === 'self') {
    errors.idNumber = '本人申请须填写身份证号';
  }

  const phone = trimmed(form.phone);
  if (phone && !PHONE_PATTERN.test(phone)) errors.phone = '请填写正确的手机号或固定电话';

  if (!REGION_PATTERN.test(trimmed(form.regionCode))) errors.regionCode = '请选择所在社区或村';

  if (length(trimmed(form.address)) > LIMITS.address) {
    errors.address = `地址不能超过${LIMITS.address}个字`;
  }

  const size = trimmed(form.householdSize);
  if (size) {
    const n = Number(size);
    if (!Number.isInteger(n) || n < LIMITS.householdSizeMin || n > LIMITS.householdSizeMax) {
      errors.householdSize = `家庭人口应为${LIMITS.householdSizeMin}到${LIMITS.householdSizeMax}之间的整数`;
    }
  }

  const helpTypes = form.helpTypes || [];
  if (helpTypes.length === 0) errors.helpTypes = '请至少选择一种求助类型';
  else if (helpTypes.some((t) => !HELP_TYPES.includes(t))) errors.helpTypes = '求助类型无效';

  if (length(trimmed(form.description)) > LIMITS.description) {
    errors.description = `情况说明不能超过${LIMITS.description}个字`;
  }

  if (form.relation && form.relation !== 'self') {
    const reporterPhone = trimmed(form.reporterPhone);
    if (!reporterPhone) errors.reporterPhone = '请留下您的联系电话，方便工作人员回电';
    else if (!PHONE_PATTERN.test(reporterPhone)) errors.reporterPhone = '请填写正确的手机号或固定电话';
    if (length(trimmed(form.reporterName)) > LIMITS.name) errors.reporterName = `姓名不能超过${LIMITS.name}个字`;
  }

  if (form.consent !== true) errors.consent = '请阅读并同意个人信息处理规则';

  return { valid: Object.keys(errors).length === 0, errors };
}

/**
 * The POST /applications body for a valid form: trimmed, optional fields left out when empty;
 * the reporter's phone on a report about someone else; the privacy notice version agreed to.
 */
function applicationBody(form, consentVersion) {
  const subject = { name: trimmed(form.name), region_code: trimmed(form.regionCode) };
  const idNumber = trimmed(form.idNumber).toUpperCase();
  if (idNumber) subject.id_number = idNumber;
  const phone = trimmed(form.phone);
  if (phone) subject.phone = phone;
  const address = trimmed(form.address);
  if (address) subject.address = address;
  const size = trimmed(form.householdSize);
  if (size) subject.household_size = Number(size);
  const body = {
    relation: form.relation,
    subject,
    help_types: Array.from(new Set(form.helpTypes)),
    description: trimmed(form.description),
    consent: form.consent === true,
  };
  if (form.relation !== 'self' && trimmed(form.reporterPhone)) {
    body.reporter = { phone: trimmed(form.reporterPhone) };
    if (trimmed(form.reporterName)) body.reporter.name = trimmed(form.reporterName);
  }
  if (consentVersion) body.consent_version = consentVersion;
  return body;
}

/** The server's 422 field names mapped to the form's, to show its errors in place. */
const SERVER_FIELDS = {
  relation: 'relation',
  'subject.name': 'name',
  'subject.id_number': 'idNumber',
  'subject.phone': 'phone',
  'subject.region_code': 'regionCode',
  'subject.address': 'address',
  'subject.household_size': 'householdSize',
  help_types: 'helpTypes',
  description: 'description',
  reporter: 'reporterPhone',
  'reporter.phone': 'reporterPhone',
  'reporter.name': 'reporterName',
  consent: 'consent',
  consent_version: 'consent',
};

/** What each form field is called on screen. */
const FIELD_LABELS = {
  relation: '与求助人的关系',
  name: '姓名',
  idNumber: '身份证号',
  phone: '联系电话',
  regionCode: '所在社区或村',
  address: '详细地址',
  householdSize: '家庭人口',
  helpTypes: '求助类型',
  description: '情况说明',
  reporterPhone: '您的联系电话',
  reporterName: '您的姓名',
  consent: '个人信息处理同意',
};

const HAS_CHINESE = /[\u4e00-\u9fff]/;

/** A message in Chinese for one server error on `field`, whatever language the server used. */
function chineseMessage(field, error) {
  const label = FIELD_LABELS[field] || '此项';
  const type = String(error.type || '');
  const message = String(error.message || '').replace(/^Value error, /, '');
  if (type === 'missing' || type === 'string_too_short') return `请填写${label}`;
  if (type === 'string_pattern_mismatch') return `${label}格式不正确`;
  if (type === 'string_too_long' || type === 'too_long') return `${label}太长`;
  if (/^(int_|float_|greater_than|less_than|decimal_)/.test(type)) return `${label}不在允许的范围内`;
  if (type === 'enum' || type === 'literal_error') return `请重新选择${label}`;
  if (HAS_CHINESE.test(message)) return message;
  return `${label}填写有误，请检查`;
}

/**
 * Field errors from a server 422 ({errors: [{field, type, message}]}), keyed by form field,
 * always in Chinese. A model-level error (`field: ""`) goes to the field its message names
 * ("本人申请须填写身份证号（subject.id_number）"), else to `_form`, shown above the form.
 */
function serverFieldErrors(errors) {
  const result = {};
  (errors || []).forEach((e) => {
    let serverField = String(e.field || '').replace(/\.\d+$/, '');
    if (!serverField) {
      const named = /[（(]([a-z_.]+)/.exec(String(e.message || ''));
      serverField = named ? named[1] : '';
    }
    const field = SERVER_FIELDS[serverField] || (serverField ? null : '_form');
    const target = field || '_form';
    if (result[target]) return;
    const message = chineseMessage(field, e).replace(/[（(][a-z_.]+(?: 必须为 true)?[）)]/, '');
    result[target] = message;
  });
  return result;
}

module.exports = {
  PHONE_PATTERN,
  LIMITS,
  RELATIONS,
  HELP_TYPES,
  emptyForm,
  validateApplication,
  applicationBody,
  serverFieldErrors,
  FIELD_LABELS,
};
