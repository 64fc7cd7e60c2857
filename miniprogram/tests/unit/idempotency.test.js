const test = require('node:test');
const assert = require('node:assert/strict');

const { newIdempotencyKey, createKeyKeeper } = require('../../utils/idempotency');

test('keys are random UUID v4 strings', () => {
  const keys = new Set();
  for (let i = 0; i < 1000; i += 1) {
    const key = newIdempotencyKey();
    assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    keys.add(key);
  }
  assert.equal(keys.size, 1000);
});

test('a retried body keeps its key; a changed body gets a new one', () => {
  const keeper = createKeyKeeper();
  const first = keeper.keyFor({ relation: 'self', subject: { name: '张三' } });
  assert.equal(keeper.keyFor({ relation: 'self', subject: { name: '张三' } }), first);
  const second = keeper.keyFor({ relation: 'self', subject: { name: '李四' } });
  assert.notEqual(second, first);
  assert.equal(keeper.keyFor({ relation: 'self', subject: { name: '李四' } }), second);
});
