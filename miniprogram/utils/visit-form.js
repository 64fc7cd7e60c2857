// The home-visit form (入户走访): the living-conditions checklist, who was met, notes, the risk
// level after the visit and an optional location, checked as the server checks them
// (app/visits/schemas.py VisitCreate) and turned into the POST body.

const CHECKLIST_ITEMS = [
  { key: 'housing', label: '住房' },
  { key: 'food', label: '吃饭' },
  { key: 'heating_cooling', label: '取暖降温' },
  { key: 'health', label: '健康' },
  { key: 'care', label: '照料' },
  { key: 'schooling', label: '上学' },
  { key: 'income_change', label: '收入变化' },
  { key: 'urgent_needs', label: '急难需求' },
];

const CHECK_VALUES = [
  { value: 'ok', label: '正常' },
  { value: 'concern', label: '需关注' },
  { value: 'urgent', label: '紧急' },
  { value: 'n/a', label: '不适用' },
];

const RISK_LEVELS = [
  { value: 'low', label: '低' },
  { value: 'medium', label: '中' },
  { value: 'high', label: '高' },
];

function emptyVisit() {
  return { met: '', checklist: {}, needs: '', notes: '', riskLevelAfter: '', location: null };
}

function trimmed(value) {
  return value == null ? '' : String(value).trim();
}

/** The people met, one per line or separated by 、，, */
function metList(text) {
  return trimmed(text)
    .split(/[\n、，,;；]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** {valid, errors} in Chinese, keyed by form field. */
function validateVisit(form) {
  const errors = {};
  const met = metList(form.met);
  if (!met.length) errors.met = '请填写见到的人（如：户主本人）';
  else if (met.length > 20) errors.met = '见到的人最多填 20 位';
  else if (met.some((m) => Array.from(m).length > 50)) errors.met = '每位不超过 50 个字';
  if (!RISK_LEVELS.some((r) => r.value === form.riskLevelAfter)) errors.riskLevelAfter = '请选择走访后的风险等级';
  const urgent = CHECKLIST_ITEMS.some((item) => (form.checklist || {})[item.key] === 'urgent');
  if (urgent && !trimmed(form.needs)) errors.needs = '有“紧急”项时请写明需求';
  if (Array.from(trimmed(form.needs)).length > 2000) errors.needs = '需求不能超过 2000 个字';
  if (Array.from(trimmed(form.notes)).length > 5000) errors.notes = '记录不能超过 5000 个字';
  return { valid: Object.keys(errors).length === 0, errors };
}

function round6(n) {
  return Math.round(Number(n) * 1e6) / 1e6;
}

/** The POST /staff/households/{id}/visits body; `visitedAt` is when the visit was saved. */
function visitBody(form, visitedAt) {
  const checklist = {};
  CHECKLIST_ITEMS.forEach((item) => {
    const value = (form.checklist || {})[item.key];
    if (CHECK_VALUES.some((v) => v.value === value)) checklist[item.key] = value;
  });
  const body = {
    visited_at: new Date(visitedAt).toISOString(),
    met: metList(form.met),
    checklist,
    notes: trimmed(form.notes),
    risk_level_after: form.riskLevelAfter,
  };
  if (trimmed(form.needs)) body.needs = trimmed(form.needs);
  if (form.location && Number.isFinite(form.location.latitude) && Number.isFinite(form.location.longitude)) {
    body.latitude = round6(form.location.latitude);
    body.longitude = round6(form.location.longitude);
  }
  return body;
}

module.exports = { CHECKLIST_ITEMS, CHECK_VALUES, RISK_LEVELS, emptyVisit, metList, validateVisit, visitBody };
