// The region picker's columns, as deep as the tree goes (district, street or town, community
// or village; a city above them when the tree has one), loaded level by level through a
// `children(parentCode)` function (services/regions.js), opening on a given region: the user's
// district, or the community of a saved draft.

const LEAF_LEVELS = new Set(['community', 'village']);
const PREFIX_LENGTHS = [2, 4, 6, 9, 12];
const MAX_DEPTH = 6;

/** The digits that matter in a 12-digit region code: 510115000000 → 510115. */
function significantPrefix(code) {
  const text = String(code || '');
  for (const length of PREFIX_LENGTHS) {
    if (/^0*$/.test(text.slice(length))) return text.slice(0, length);
  }
  return text;
}

/** Index of the item on the way to `target`: itself, else the deepest region containing it. */
function indexToward(items, target) {
  if (!target) return 0;
  const exact = items.findIndex((r) => r.code === target);
  if (exact >= 0) return exact;
  let best = -1;
  let bestLength = 0;
  items.forEach((r, i) => {
    const prefix = significantPrefix(r.code);
    if (target.startsWith(prefix) && prefix.length > bestLength) {
      best = i;
      bestLength = prefix.length;
    }
  });
  return best >= 0 ? best : 0;
}

function isLeaf(region) {
  return Boolean(region && LEAF_LEVELS.has(region.level));
}

class RegionCascade {
  constructor(children) {
    this.children = children;
    this.columns = [];
    this.indexes = [];
  }

  /** Load the top level and the branch down to a community, through `openOn` if given. */
  async init(openOn) {
    this.target = openOn || null;
    this.columns = [await this.children(null)];
    this.indexes = [indexToward(this.columns[0], this.target)];
    await this._fillFrom(0);
    return this.view();
  }

  /** The user turned `column` to `index`: reload the columns to its right. */
  async changeColumn(column, index) {
    this.target = null;
    this.indexes[column] = index;
    this.columns = this.columns.slice(0, column + 1);
    this.indexes = this.indexes.slice(0, column + 1);
    await this._fillFrom(column);
    return this.view();
  }

  async _fillFrom(column) {
    for (let c = column; c < MAX_DEPTH - 1; c += 1) {
      const parent = this.columns[c][this.indexes[c]];
      if (!parent || isLeaf(parent)) return;
      const below = await this.children(parent.code);
      if (!below.length) {
        // Without levels (older answers) a region with nothing below is where the tree ends.
        if (!parent.level) return;
        // A district without streets loaded yet: an empty column says so.
        this.columns.push([]);
        this.indexes.push(0);
        return;
      }
      this.columns.push(below);
      this.indexes.push(indexToward(below, this.target));
    }
  }

  /** What the picker binds: `range` (columns of {code, name}) and `value` (indexes). */
  view() {
    return { range: this.columns.map((col) => col.slice()), value: this.indexes.slice() };
  }

  /** The community or village the indexes point at in the last column, or null. */
  selected(indexes) {
    const at = indexes || this.indexes;
    const last = this.columns.length - 1;
    const region = (this.columns[last] || [])[at[last]];
    // Without levels (older answers) the deepest region loaded counts as a leaf.
    if (!region || (region.level && !isLeaf(region))) return null;
    const path = this.columns.map((col, c) => (col[at[c]] ? col[at[c]].name : '')).filter(Boolean);
    return { code: region.code, name: region.name, fullName: path.join(' ') };
  }
}

module.exports = { RegionCascade, significantPrefix, indexToward, LEAF_LEVELS };
