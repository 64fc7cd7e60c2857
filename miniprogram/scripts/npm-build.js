// What WeChat DevTools' 工具 > 构建 npm does for this project, for the tests and for CI: copy
// each mini program package's `miniprogram_dist` into `miniprogram_npm/<name>`, where the pages'
// usingComponents ("/miniprogram_npm/tdesign-miniprogram/button/button") find it. DevTools
// produces the same folder; it is not committed (.gitignore).

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const PACKAGES = ['tdesign-miniprogram'];

for (const name of PACKAGES) {
  const source = path.join(ROOT, 'node_modules', name, 'miniprogram_dist');
  const target = path.join(ROOT, 'miniprogram_npm', name);
  if (!fs.existsSync(source)) {
    throw new Error(`${name} is not installed: run npm ci first`);
  }
  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(source, target, { recursive: true });
}
