const test = require('node:test');
const assert = require('node:assert/strict');

const { RegionCascade } = require('../../utils/region-picker');

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
  // Without levels, the community is asked for children too: none, so the tree ends there.
  assert.deepEqual(asked, [null, '510115000000', '510115001000', '510115001001']);
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
  const cascade = new RegionCascade(async (code) => (code ? [] : [{ code: '510115000000', name: '温江区', level: 'district' }]));
  const view = await cascade.init();
  assert.deepEqual(view.range, [[{ code: '510115000000', name: '温江区', level: 'district' }], []]);
  assert.equal(cascade.selected(), null);
});

// What /regions answers for the Wenjiang data: 成都市 and 温江区 both at the top level, the
// city with other districts below it.
const WENJIANG = {
  '': [
    { code: '510100000000', name: '成都市', level: 'city' },
    { code: '510115000000', name: '温江区', level: 'district' },
  ],
  510100000000: [
    { code: '510129000000', name: '大邑县', level: 'county' },
    { code: '510115000000', name: '温江区', level: 'district' },
  ],
  510129000000: [],
  510115000000: [
    { code: '510115001000', name: '柳城街道', level: 'street' },
    { code: '510115002000', name: '公平街道', level: 'street' },
  ],
  510115001000: [
    { code: '510115001001', name: '光华社区', level: 'community' },
    { code: '510115001002', name: '南江社区', level: 'community' },
  ],
  510115002000: [{ code: '510115002001', name: '公平社区', level: 'community' }],
};

test('the picker opens on the district even when a city shares the top level', async () => {
  const cascade = new RegionCascade(async (code) => WENJIANG[code || ''] || []);
  const view = await cascade.init('510115000000');
  assert.deepEqual(view.value, [1, 0, 0]);
  assert.deepEqual(view.range.map((col) => col.length), [2, 2, 2]);
  assert.equal(cascade.selected().fullName, '温江区 柳城街道 光华社区');
});

test('the picker opens on a saved community, and goes as deep as the tree under a city', async () => {
  const cascade = new RegionCascade(async (code) => WENJIANG[code || ''] || []);
  await cascade.init('510115002001');
  assert.deepEqual(cascade.selected(), { code: '510115002001', name: '公平社区', fullName: '温江区 公平街道 公平社区' });
  const view = await cascade.changeColumn(0, 0);
  // 成都市 → 大邑县 (no streets loaded): an empty column, nothing selectable.
  assert.deepEqual(view.range.map((col) => col.length), [2, 2, 0]);
  assert.equal(cascade.selected(), null);
  const deeper = await cascade.changeColumn(1, 1);
  assert.deepEqual(deeper.range.map((col) => col.length), [2, 2, 2, 2]);
  assert.equal(cascade.selected().fullName, '成都市 温江区 柳城街道 光华社区');
});
