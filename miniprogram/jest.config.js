// Pages and components rendered with miniprogram-simulate in jsdom (tests/jest/). The plain
// modules are tested with node's own runner (tests/unit/).
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests/jest'],
  setupFiles: ['<rootDir>/tests/jest/setup.js'],
  transform: { '\\.js$': 'babel-jest' },
  // TDesign (in node_modules, and as the npm build copies it) is ES modules: let babel through.
  transformIgnorePatterns: ['/node_modules/(?!(tdesign-miniprogram|tslib)/)'],
  // As WeChat resolves a package: from the requiring file up through each `miniprogram_npm/`
  // (TDesign ships dayjs and tslib in its own miniprogram_dist/miniprogram_npm/).
  moduleDirectories: ['node_modules', 'miniprogram_npm'],
  testTimeout: 20000,
};
