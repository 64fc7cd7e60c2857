// Which transition buttons a staff member sees on a case: the server's rules
// (app/intake/service.py RULES and app/accounts/scopes.py ROLE_SCOPES) mirrored for display.
// The server decides; a button hidden here is only a convenience.

const { actionLabel } = require('./format');

const RULES = {
  accept: { from: ['submitted'], scope: 'cases:triage' },
  reject: { from: ['submitted'], scope: 'cases:triage' },
  start_investigation: { from: ['accepted'], scope: 'cases:work', assigneeOnly: true },
  submit_review: { from: ['investigating'], scope: 'cases:work', assigneeOnly: true },
  approve: { from: ['reviewing'], scope: 'cases:decide' },
  deny: { from: ['reviewing'], scope: 'cases:decide' },
  refer: { from: ['accepted', 'investigating'], scope: 'cases:triage' },
  close: { from: ['approved'], scope: 'cases:close' },
};

const CASEWORK = ['cases:read', 'cases:work'];
const ROLE_SCOPES = {
  community_worker: [...CASEWORK, 'cases:triage'],
  social_worker: [...CASEWORK, 'cases:triage'],
  street_officer: [...CASEWORK, 'cases:triage', 'cases:close'],
  district_officer: [...CASEWORK, 'cases:decide', 'cases:close'],
  auditor: ['cases:read'],
  admin: [],
};

// Actions that end a case badly ask for a reason the applicant will see.
const NEEDS_PUBLIC_NOTE = ['reject', 'deny', 'refer'];
const DANGER = ['reject', 'deny'];

/**
 * The buttons for `caseItem` ({status, assignee_id}) and the signed-in staff `user` ({id, role}),
 * in life-cycle order: [{action, label, danger, needsPublicNote, needsDecision}].
 */
function availableActions(caseItem, user) {
  const scopes = ROLE_SCOPES[user && user.role] || [];
  return Object.keys(RULES)
    .filter((action) => {
      const rule = RULES[action];
      if (!rule.from.includes(caseItem.status)) return false;
      if (!scopes.includes(rule.scope)) return false;
      if (rule.assigneeOnly && caseItem.assignee_id !== user.id) return false;
      return true;
    })
    .map((action) => ({
      action,
      label: actionLabel(action),
      danger: DANGER.includes(action),
      needsPublicNote: NEEDS_PUBLIC_NOTE.includes(action),
      needsDecision: action === 'approve',
    }));
}

const MONEY = /^\d{1,6}(\.\d{1,2})?$/;

/** The transition body, or {error} when the inputs are not enough for the action. */
function transitionBody(action, { note, publicNote, category, monthlyAmount } = {}) {
  const body = { action, note: (note || '').trim(), public_note: (publicNote || '').trim() };
  if (NEEDS_PUBLIC_NOTE.includes(action) && !body.public_note) {
    return { error: '请填写告知申请人的说明' };
  }
  if (action === 'approve') {
    if (!category) return { error: '请选择救助类别' };
    const amount = (monthlyAmount || '').trim();
    if (amount && !MONEY.test(amount)) return { error: '月救助金额格式不正确，例如 870.00' };
    body.decision = { category, monthly_amount: amount ? Number(amount).toFixed(2) : null };
  }
  return { body };
}

module.exports = { RULES, ROLE_SCOPES, availableActions, transitionBody };
