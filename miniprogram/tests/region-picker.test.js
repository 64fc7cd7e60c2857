const test = require('node:test');
const assert = require('node:assert/strict');

const { RegionCascade } = require('../utils/region-picker');

const TREE = {
  '': [{ code: '510115000000', name: '温江区' }],
  510115000000: [
    { code: '510115001000', name: '柳城街道' },
    { code: '510115002000', name: '公平街道' },
  ],
  510115001000: [
    { code: '510115001001', name: '光华社区' },
    { code: '510115001002', name: '南江社区' },
  ],
  510115002000: [{ code: '510115002001', name: '公平社区' }],
};

function loader() {
  const asked = [];
  const children = async (code) => {
    asked.push(code);
    return TREE[code || ''] || [];
  };
  return { children, asked };
}

test('init loads the first branch down to communities', async () => {
  const { children, asked } = loader();
  const cascade = new RegionCascade(children);
  const view = await cascade.init();
  assert.deepEqual(asked, [null, '510115000000', '510115001000']);
  assert.deepEqual(view.value, [0, 0, 0]);
  assert.deepEqual(view.range[2].map((r) => r.name), ['光华社区', '南江社区']);
  assert.deepEqual(cascade.selected(), { code: '510115001001', name: '光华社区', fullName: '温江区 柳城街道 光华社区' });
});

test('turning a column reloads the columns to its right', async () => {
  const { children } = loader();
  const cascade = new RegionCascade(children);
  await cascade.init();
  const view = await cascade.changeColumn(1, 1);
  assert.deepEqual(view.value, [0, 1, 0]);
  assert.deepEqual(view.range[2].map((r) => r.code), ['510115002001']);
  assert.equal(cascade.selected([0, 1, 0]).fullName, '温江区 公平街道 公平社区');
});

test('a branch without communities selects nothing', async () => {
  const cascade = new RegionCascade(async (code) => (code ? [] : [{ code: '510115000000', name: '温江区' }]));
  const view = await cascade.init();
  assert.deepEqual(view.range, [[{ code: '510115000000', name: '温江区' }], [], []]);
  assert.equal(cascade.selected(), null);
});
