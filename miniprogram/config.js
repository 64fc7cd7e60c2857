// The one place that knows where the API is.
//
// DevTools and the phone preview ("develop") talk to `make run` on this machine; remember to tick
// 详情 > 本地设置 > 不校验合法域名 in WeChat DevTools. Trial and release builds must use an HTTPS
// domain registered under 开发管理 > 服务器域名 in the mini program console: set it here.
const API_BASES = {
  develop: 'http://127.0.0.1:8000/api/v1',
  trial: 'https://jiuzhu.example.cn/api/v1',
  release: 'https://jiuzhu.example.cn/api/v1',
};

/** The base URL for a build: `envVersion` is what wx.getAccountInfoSync() reports. */
function resolveApiBase(envVersion) {
  return API_BASES[envVersion] || API_BASES.develop;
}

function currentEnvVersion() {
  try {
    if (typeof wx !== 'undefined' && wx.getAccountInfoSync) {
      return wx.getAccountInfoSync().miniProgram.envVersion;
    }
  } catch (e) {
    // Older base libraries and the node tests have no account info: fall back to develop.
  }
  return 'develop';
}

// The district this mini program serves: the region picker opens on it (温江区).
const HOME_REGION_CODE = '510115000000';

module.exports = {
  API_BASES,
  HOME_REGION_CODE,
  resolveApiBase,
  apiBase: () => resolveApiBase(currentEnvVersion()),
  requestTimeoutMs: 15000,
};
