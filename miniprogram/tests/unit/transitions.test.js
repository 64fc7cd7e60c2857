const test = require('node:test');
const assert = require('node:assert/strict');

const { availableActions, transitionBody } = require('../../utils/transitions');

const actionsOf = (status, role, { assignee = null, userId = 1 } = {}) =>
  availableActions({ status, assignee_id: assignee }, { id: userId, role }).map((a) => a.action);

test('a new case: community workers and street officers accept or reject; the district does not triage', () => {
  assert.deepEqual(actionsOf('submitted', 'community_worker'), ['accept', 'reject']);
  assert.deepEqual(actionsOf('submitted', 'street_officer'), ['accept', 'reject']);
  assert.deepEqual(actionsOf('submitted', 'district_officer'), []);
  assert.deepEqual(actionsOf('submitted', 'auditor'), []);
  assert.deepEqual(actionsOf('submitted', 'admin'), []);
});

test('investigation steps are for the assignee only', () => {
  assert.deepEqual(actionsOf('accepted', 'community_worker', { assignee: 1, userId: 1 }), ['start_investigation', 'refer']);
  assert.deepEqual(actionsOf('accepted', 'community_worker', { assignee: 2, userId: 1 }), ['refer']);
  assert.deepEqual(actionsOf('investigating', 'social_worker', { assignee: 1 }), ['submit_review', 'refer']);
});

test('the district decides and closes', () => {
  assert.deepEqual(actionsOf('reviewing', 'district_officer'), ['approve', 'deny']);
  assert.deepEqual(actionsOf('reviewing', 'street_officer'), []);
  assert.deepEqual(actionsOf('approved', 'district_officer'), ['close']);
  assert.deepEqual(actionsOf('approved', 'street_officer'), ['close']);
  for (const final of ['closed', 'denied', 'rejected', 'referred', 'withdrawn']) {
    assert.deepEqual(actionsOf(final, 'district_officer'), [], final);
  }
});

test('buttons carry labels and what they need', () => {
  const [approve, deny] = availableActions({ status: 'reviewing' }, { id: 1, role: 'district_officer' });
  assert.deepEqual(approve, { action: 'approve', label: '批准', danger: false, needsPublicNote: false, needsDecision: true });
  assert.deepEqual(deny, { action: 'deny', label: '不予批准', danger: true, needsPublicNote: true, needsDecision: false });
  assert.deepEqual(availableActions({ status: 'submitted' }, null), []);
});

test('transition bodies', () => {
  assert.deepEqual(transitionBody('accept', { note: ' 已电话联系 ' }), {
    body: { action: 'accept', note: '已电话联系', public_note: '' },
  });
  assert.deepEqual(transitionBody('reject', {}), { error: '请填写告知申请人的说明' });
  assert.deepEqual(transitionBody('reject', { publicNote: '不在本辖区' }).body.public_note, '不在本辖区');
  assert.deepEqual(transitionBody('approve', {}), { error: '请选择救助类别' });
  assert.deepEqual(transitionBody('approve', { category: 'dibao', monthlyAmount: '870' }).body, {
    action: 'approve',
    note: '',
    public_note: '',
    decision: { category: 'dibao', monthly_amount: '870.00' },
  });
  assert.equal(transitionBody('approve', { category: 'tekun' }).body.decision.monthly_amount, null);
  assert.ok(transitionBody('approve', { category: 'dibao', monthlyAmount: '8.7.0' }).error);
  assert.ok(transitionBody('approve', { category: 'dibao', monthlyAmount: '-5' }).error);
});
