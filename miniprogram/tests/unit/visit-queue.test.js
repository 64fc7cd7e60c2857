const test = require('node:test');
const assert = require('node:assert/strict');

const { installFakeWx } = require('./fake-wx');
const queue = require('../../utils/visit-queue');
const drafts = require('../../utils/drafts');

function offline() {
  return Object.assign(new Error('网络连接失败'), { statusCode: 0 });
}

test('a visit waits on the device while offline and is sent once when the network is back', async () => {
  installFakeWx();
  const item = queue.enqueue({ householdId: 7, body: { notes: '已入户' }, photos: ['wxfile://a.jpg'], label: '户 7' });
  let up = false;
  const created = new Map(); // Idempotency-Key → visit, as the server keeps them
  const photos = [];
  const sender = {
    async createVisit(householdId, body, key) {
      if (!created.has(key)) created.set(key, { id: 100 + created.size, householdId, body });
      if (!up) throw offline(); // the server stored it but the answer was lost
      return created.get(key);
    },
    async uploadPhoto(visitId, path, key) {
      if (!up) throw offline();
      photos.push({ visitId, path, key });
    },
  };
  assert.deepEqual(await queue.flush(sender), { sent: 0, rejected: 0, waiting: 1 });
  assert.equal(queue.list().length, 1, 'kept in storage');
  up = true;
  assert.deepEqual(await queue.flush(sender), { sent: 1, rejected: 0, waiting: 0 });
  assert.equal(created.size, 1, 'the same visit is never stored twice');
  assert.equal([...created.keys()][0], item.key);
  assert.deepEqual(photos.map((p) => [p.visitId, p.path]), [[100, 'wxfile://a.jpg']]);
  assert.deepEqual(queue.list(), []);
});

test('a visit the server refuses is kept as rejected with its message; later ones still go', async () => {
  installFakeWx();
  const bad = queue.enqueue({ householdId: 1, body: { bad: true } });
  queue.enqueue({ householdId: 2, body: {} });
  const sent = [];
  const sender = {
    async createVisit(householdId, body) {
      if (body.bad) throw Object.assign(new Error('走访时间不能晚于现在'), { statusCode: 422 });
      sent.push(householdId);
      return { id: 5 };
    },
    async uploadPhoto() {},
  };
  assert.deepEqual(await queue.flush(sender), { sent: 1, rejected: 1, waiting: 0 });
  assert.deepEqual(sent, [2]);
  assert.equal(queue.list()[0].error, '走访时间不能晚于现在');
  queue.discard(bad.key);
  assert.deepEqual(queue.list(), []);
});

test('a photo sent before the network dropped is not sent again', async () => {
  installFakeWx();
  queue.enqueue({ householdId: 3, body: {}, photos: ['p1', 'p2'] });
  const uploads = [];
  let failSecond = true;
  const sender = {
    async createVisit() {
      return { id: 9 };
    },
    async uploadPhoto(visitId, path) {
      if (path === 'p2' && failSecond) throw offline();
      uploads.push(path);
    },
  };
  await queue.flush(sender);
  failSecond = false;
  await queue.flush(sender);
  assert.deepEqual(uploads, ['p1', 'p2']);
});

test('drafts are kept until cleared', () => {
  installFakeWx();
  assert.equal(drafts.load('apply.self'), null);
  drafts.save('apply.self', { name: '张三' }, { idempotencyKey: 'k1' });
  assert.deepEqual(drafts.load('apply.self').form, { name: '张三' });
  assert.equal(drafts.load('apply.self').idempotencyKey, 'k1');
  drafts.clear('apply.self');
  assert.equal(drafts.load('apply.self'), null);
});

const { validateVisit, visitBody, emptyVisit } = require('../../utils/visit-form');

test('the visit form: who was met, a risk level, needs when something is urgent; location optional', () => {
  const form = { ...emptyVisit(), met: '户主本人、女儿', checklist: { food: 'urgent', housing: 'ok', bogus: 'x' } };
  const { errors } = validateVisit(form);
  assert.deepEqual(Object.keys(errors).sort(), ['needs', 'riskLevelAfter']);
  const ok = { ...form, riskLevelAfter: 'high', needs: '缺米面油', location: { latitude: 30.6821234567, longitude: 103.8561 } };
  assert.equal(validateVisit(ok).valid, true);
  const body = visitBody(ok, Date.UTC(2026, 11, 7, 2, 0));
  assert.deepEqual(body, {
    visited_at: '2026-12-07T02:00:00.000Z',
    met: ['户主本人', '女儿'],
    checklist: { food: 'urgent', housing: 'ok' },
    notes: '',
    risk_level_after: 'high',
    needs: '缺米面油',
    latitude: 30.682123,
    longitude: 103.8561,
  });
  assert.equal(visitBody({ ...ok, location: null }, 0).latitude, undefined);
});
