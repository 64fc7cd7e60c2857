const test = require('node:test');
const assert = require('node:assert/strict');

const fmt = require('../../utils/format');

test('ID numbers are masked like the server: first 6, last 4', () => {
  assert.equal(fmt.maskIdNumber('51011519800101123X'), '510115********123X');
  assert.equal(fmt.maskIdNumber(''), '');
  assert.equal(fmt.maskIdNumber(null), '');
  assert.equal(fmt.maskIdNumber('12345'), '*****');
});

test('phones are masked like the server: first 3, last 4', () => {
  assert.equal(fmt.maskPhone('13800001234'), '138****1234');
  assert.equal(fmt.maskPhone('028-82345678'), '028*****5678');
  assert.equal(fmt.maskPhone('123456'), '******');
  assert.equal(fmt.maskPhone(''), '');
});

test("times are shown as the server wrote them, whatever the phone's time zone", () => {
  assert.equal(fmt.formatTime('2026-11-29T10:05:33.123456+08:00'), '2026-11-29 10:05');
  assert.equal(fmt.formatTime('2026-11-29T23:59:00+08:00'), '2026-11-29 23:59');
  assert.equal(fmt.formatDate('2026-11-29T23:59:00+08:00'), '2026-11-29');
  assert.equal(fmt.formatTime(null), '');
  assert.equal(fmt.formatTime('yesterday'), '');
});

test('every status, help type, relation and action of the API has a Chinese label', () => {
  const statuses = ['submitted', 'accepted', 'investigating', 'reviewing', 'approved', 'denied', 'rejected', 'referred', 'closed', 'withdrawn'];
  const helpTypes = ['basic_living', 'medical', 'education', 'housing', 'employment', 'emergency', 'care', 'other'];
  const relations = ['self', 'family', 'neighbor', 'grid_worker', 'volunteer', 'agency', 'other'];
  const actions = ['accept', 'reject', 'start_investigation', 'submit_review', 'approve', 'deny', 'refer', 'close'];
  const categories = ['dibao', 'tekun', 'dibao_edge', 'expenditure_hardship', 'other_special'];
  const chinese = /[\u4e00-\u9fff]/;
  for (const s of statuses) assert.match(fmt.statusLabel(s), chinese, s);
  for (const h of helpTypes) assert.match(fmt.helpTypeLabel(h), chinese, h);
  for (const r of relations) assert.match(fmt.relationLabel(r), chinese, r);
  for (const a of actions) assert.match(fmt.actionLabel(a), chinese, a);
  for (const c of categories) assert.match(fmt.categoryLabel(c), chinese, c);
  for (const e of ['submit', 'withdraw', 'assign', 'note']) assert.match(fmt.eventLabel(e), chinese, e);
  assert.equal(fmt.statusLabel('submitted'), '已提交');
  assert.equal(fmt.helpTypeLabel('emergency'), '临时/急难');
  assert.equal(fmt.statusLabel('something_new'), 'something_new', 'unknown values show as they are');
  assert.equal(fmt.statusLabel('toString'), 'toString', 'no prototype leaks');
});

test('the timeline is newest first with labels, times and public notes', () => {
  const view = fmt.timelineView([
    { status: 'submitted', at: '2026-11-29T10:00:00+08:00', note: '' },
    { status: 'accepted', at: '2026-11-30T09:30:00+08:00', note: '社区将在三日内上门' },
  ]);
  assert.deepEqual(view, [
    { key: '1-accepted', status: 'accepted', label: '已受理', time: '2026-11-30 09:30', note: '社区将在三日内上门' },
    { key: '0-submitted', status: 'submitted', label: '已提交', time: '2026-11-29 10:00', note: '' },
  ]);
  assert.deepEqual(fmt.timelineView(undefined), []);
});

test('an application summary for lists', () => {
  const summary = fmt.applicationSummary({
    id: 3,
    reference: 'WJ2026-000003',
    status: 'submitted',
    subject: { name: '张三', region_name: '光华社区' },
    help_types: ['medical', 'emergency'],
    priority: 'urgent',
    created_at: '2026-11-29T10:00:00+08:00',
    due_at: '2026-11-30T10:00:00+08:00',
    overdue: true,
  });
  assert.deepEqual(summary, {
    id: 3,
    reference: 'WJ2026-000003',
    status: 'submitted',
    statusLabel: '已提交',
    subjectName: '张三',
    regionName: '光华社区',
    helpTypes: '医疗、临时/急难',
    createdAt: '2026-11-29 10:00',
    dueAt: '2026-11-30 10:00',
    overdue: true,
    urgent: true,
  });
});

test('a deadline past the holiday calendar is shown as pending, never guessed', () => {
  const summary = fmt.applicationSummary({
    id: 4,
    status: 'submitted',
    subject: { name: '李四' },
    help_types: ['medical'],
    due_at: null,
    deadline_unknown: true,
  });
  assert.equal(summary.dueAt, '待定（节假日安排未录入）');
});

test('file sizes', () => {
  assert.equal(fmt.formatSize(1536 * 1024), '1.5 MB');
  assert.equal(fmt.formatSize(350 * 1024), '350 KB');
  assert.equal(fmt.formatSize(10), '1 KB');
});
