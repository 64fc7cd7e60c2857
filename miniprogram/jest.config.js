// Pages and components rendered with miniprogram-simulate in jsdom (tests/jest/). The plain
// modules are tested with node's own runner (tests/unit/).
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests/jest'],
  setupFiles: ['<rootDir>/tests/jest/setup.js'],
  transform: { '\\.js$': 'babel-jest' },
  // TDesign (in node_modules, and as the npm build copies it) is ES modules: let babel through.
  transformIgnorePatterns: ['/node_modules/(?!(tdesign-miniprogram|tslib)/)'],
  testTimeout: 20000,
};
