// For jest only: TDesign ships ES modules (import/export) that node's require cannot load.
module.exports = {
  presets: [['@babel/preset-env', { targets: { node: 'current' } }]],
};
