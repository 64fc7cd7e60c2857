// The three columns of the region picker (district, street or town, community or village),
// loaded level by level through a `children(parentCode)` function (services/regions.js).

const COLUMNS = 3;

class RegionCascade {
  constructor(children) {
    this.children = children;
    this.columns = [];
    this.indexes = [];
  }

  /** Load the top level and the first branch below it. */
  async init() {
    this.columns = [await this.children(null)];
    this.indexes = [0];
    await this._fillFrom(0);
    return this.view();
  }

  /** The user turned `column` to `index`: reload the columns to its right. */
  async changeColumn(column, index) {
    this.indexes[column] = index;
    this.columns = this.columns.slice(0, column + 1);
    this.indexes = this.indexes.slice(0, column + 1);
    await this._fillFrom(column);
    return this.view();
  }

  async _fillFrom(column) {
    for (let c = column; c < COLUMNS - 1; c += 1) {
      const parent = this.columns[c][this.indexes[c]];
      const below = parent ? await this.children(parent.code) : [];
      this.columns.push(below);
      this.indexes.push(0);
    }
  }

  /** What the picker binds: `range` (columns of {code, name}) and `value` (indexes). */
  view() {
    return { range: this.columns.map((col) => col.slice()), value: this.indexes.slice() };
  }

  /** The region the indexes point at in the last column (a community or village), or null. */
  selected(indexes) {
    const at = indexes || this.indexes;
    const last = this.columns[COLUMNS - 1] || [];
    const region = last[at[COLUMNS - 1]];
    if (!region) return null;
    const path = this.columns.map((col, c) => (col[at[c]] ? col[at[c]].name : '')).filter(Boolean);
    return { code: region.code, name: region.name, fullName: path.join(' ') };
  }
}

module.exports = { RegionCascade, COLUMNS };
