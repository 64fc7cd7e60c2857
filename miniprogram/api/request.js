// The one way to the API: token storage, WeChat login, refresh on 401 (once, then retry),
// statusCode checks, error toasts with the server's {"code", "message"}, Idempotency-Key for
// creates. Pages never call wx.request; services/*.js call this module.

const config = require('../config');
const { newIdempotencyKey } = require('../utils/idempotency');

const SESSION_KEY = 'jiuzhu.session';

const DEFAULT_MESSAGES = {
  0: '网络连接失败，请检查网络后重试',
  400: '请求有误',
  401: '登录已过期，请重新登录',
  403: '无权执行此操作',
  404: '记录不存在',
  409: '与当前状态冲突，请刷新后重试',
  413: '文件太大，不能超过 10 MB',
  415: '文件类型不支持，请上传 JPG、PNG 或 PDF',
  422: '提交的数据无效',
  429: '操作太频繁，请稍后再试',
  500: '服务器开小差了，请稍后再试',
};

class ApiError extends Error {
  constructor({ statusCode, code, message, errors, data }) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
    this.code = code;
    this.errors = errors || [];
    this.data = data;
  }
}

function defaultMessage(statusCode) {
  if (DEFAULT_MESSAGES[statusCode]) return DEFAULT_MESSAGES[statusCode];
  return statusCode >= 500 ? DEFAULT_MESSAGES[500] : DEFAULT_MESSAGES[400];
}

/** An ApiError from a non-2xx response, keeping the server's code and message when it sent them. */
function toApiError(statusCode, data) {
  const body = data && typeof data === 'object' ? data : null;
  const code = body && typeof body.code === 'string' ? body.code : `http_${statusCode}`;
  const message =
    body && typeof body.message === 'string' && body.message ? body.message : defaultMessage(statusCode);
  return new ApiError({ statusCode, code, message, errors: body && body.errors, data: body });
}

function networkError(errMsg) {
  return new ApiError({ statusCode: 0, code: 'network_error', message: DEFAULT_MESSAGES[0], data: { errMsg } });
}

function showError(error) {
  wx.showToast({ title: error.message, icon: 'none', duration: 2500 });
}

// ---- session (tokens) ----

/** The stored session: {accessToken, refreshToken, expiresAt, user: {id, role}} or null. */
function getSession() {
  try {
    const session = wx.getStorageSync(SESSION_KEY);
    return session && session.accessToken ? session : null;
  } catch (e) {
    return null;
  }
}

/** Keep a token pair as the API returns it (login and refresh). */
function saveSession(pair) {
  const session = {
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    expiresAt: Date.now() + Number(pair.expires_in || 0) * 1000,
    user: pair.user,
  };
  wx.setStorageSync(SESSION_KEY, session);
  return session;
}

function clearSession() {
  wx.removeStorageSync(SESSION_KEY);
}

let onSessionExpired = null;

/** Called with the role of a session that could not be refreshed (staff: back to the login page). */
function setSessionExpiredHandler(handler) {
  onSessionExpired = handler;
}

// ---- wx wrappers ----

function buildUrl(path, query) {
  const parts = [];
  Object.keys(query || {}).forEach((key) => {
    const value = query[key];
    const values = Array.isArray(value) ? value : [value];
    values.forEach((v) => {
      if (v === undefined || v === null || v === '') return;
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
    });
  });
  return config.apiBase() + path + (parts.length ? `?${parts.join('&')}` : '');
}

function wxRequest(options) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: options.url,
      method: options.method,
      data: options.data,
      header: options.header,
      timeout: config.requestTimeoutMs,
      dataType: 'json',
      success: (res) => resolve({ statusCode: res.statusCode, data: res.data }),
      fail: (err) => reject(networkError(err && err.errMsg)),
    });
  });
}

function wxUploadFile(options) {
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url: options.url,
      filePath: options.filePath,
      name: options.name,
      formData: options.formData,
      header: options.header,
      timeout: config.requestTimeoutMs * 4,
      success: (res) => {
        let data = res.data;
        if (typeof data === 'string') {
          try {
            data = JSON.parse(data);
          } catch (e) {
            // A proxy's HTML error page: the status code still says what happened.
          }
        }
        resolve({ statusCode: res.statusCode, data });
      },
      fail: (err) => reject(networkError(err && err.errMsg)),
    });
  });
}

function wxDownloadFile(options) {
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url: options.url,
      header: options.header,
      timeout: config.requestTimeoutMs * 4,
      success: (res) => resolve({ statusCode: res.statusCode, data: res.tempFilePath }),
      fail: (err) => reject(networkError(err && err.errMsg)),
    });
  });
}

function wxLoginCode() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) =>
        res.code
          ? resolve(res.code)
          : reject(new ApiError({ statusCode: 0, code: 'wechat_login_failed', message: '微信登录失败，请重试' })),
      fail: () =>
        reject(new ApiError({ statusCode: 0, code: 'wechat_login_failed', message: '微信登录失败，请重试' })),
    });
  });
}

// ---- login and refresh ----

let loggingIn = null;

/** wx.login, then POST /auth/wechat/login; concurrent callers share one login. */
function loginWithWeChat() {
  if (!loggingIn) {
    loggingIn = (async () => {
      const code = await wxLoginCode();
      const res = await wxRequest({
        url: buildUrl('/auth/wechat/login'),
        method: 'POST',
        data: { code },
        header: { 'Content-Type': 'application/json' },
      });
      if (res.statusCode !== 200) throw toApiError(res.statusCode, res.data);
      return saveSession(res.data);
    })().finally(() => {
      loggingIn = null;
    });
  }
  return loggingIn;
}

let refreshing = null;

/**
 * POST /auth/refresh with the stored refresh token. Refresh tokens are single use, so
 * concurrent 401s share one refresh. Resolves true when a new pair is stored.
 */
function refreshSession() {
  const session = getSession();
  if (!session || !session.refreshToken) return Promise.resolve(false);
  if (!refreshing) {
    refreshing = wxRequest({
      url: buildUrl('/auth/refresh'),
      method: 'POST',
      data: { refresh_token: session.refreshToken },
      header: { 'Content-Type': 'application/json' },
    })
      .then((res) => {
        if (res.statusCode === 200 && res.data && res.data.access_token) {
          saveSession(res.data);
          return true;
        }
        return false;
      })
      .catch(() => false)
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/**
 * After a 401: a token another request already refreshed, else one refresh; a resident whose
 * refresh failed signs in again with wx.login. Resolves true when a retry makes sense.
 */
async function recover(usedToken) {
  const current = getSession();
  if (current && usedToken && current.accessToken !== usedToken) return true;
  if (await refreshSession()) return true;
  const role = current && current.user ? current.user.role : null;
  clearSession();
  if (role === 'resident') {
    try {
      await loginWithWeChat();
      return true;
    } catch (e) {
      return false;
    }
  }
  if (onSessionExpired) onSessionExpired(role);
  return false;
}

// ---- requests ----

async function perform(send, { auth, silent }) {
  try {
    let attempt = await send();
    if (attempt.res.statusCode === 401 && auth && (await recover(attempt.token))) {
      attempt = await send();
      if (attempt.res.statusCode === 401) {
        const session = getSession();
        clearSession();
        if (onSessionExpired) onSessionExpired(session && session.user ? session.user.role : null);
      }
    }
    const { statusCode, data } = attempt.res;
    if (statusCode >= 200 && statusCode < 300) return statusCode === 204 ? null : data;
    throw toApiError(statusCode, data);
  } catch (error) {
    const apiError = error instanceof ApiError ? error : networkError(String(error && error.message));
    if (!silent) showError(apiError);
    throw apiError;
  }
}

function authHeaders(auth) {
  const session = auth ? getSession() : null;
  return { token: session ? session.accessToken : null };
}

/**
 * Call the API. options: method ('GET'), path ('/applications/mine'), query, data,
 * auth (true: send the stored token and recover from 401), idempotencyKey (POST creates),
 * silent (no toast; the caller shows the error). Resolves the response body, rejects ApiError.
 */
function request(options) {
  const method = (options.method || 'GET').toUpperCase();
  const auth = options.auth !== false;
  const send = async () => {
    const { token } = authHeaders(auth);
    const header = { Accept: 'application/json', ...(options.header || {}) };
    if (options.data !== undefined) header['Content-Type'] = 'application/json';
    if (token) header.Authorization = `Bearer ${token}`;
    if (options.idempotencyKey) header['Idempotency-Key'] = options.idempotencyKey;
    const res = await wxRequest({ url: buildUrl(options.path, options.query), method, data: options.data, header });
    return { res, token };
  };
  return perform(send, { auth, silent: Boolean(options.silent) });
}

/**
 * Upload a local file (wx.uploadFile, multipart). options: path, filePath, name ('file'),
 * idempotencyKey, silent. Same 401 handling and errors as request().
 */
function upload(options) {
  const send = async () => {
    const { token } = authHeaders(true);
    const header = { Accept: 'application/json' };
    if (token) header.Authorization = `Bearer ${token}`;
    if (options.idempotencyKey) header['Idempotency-Key'] = options.idempotencyKey;
    const res = await wxUploadFile({
      url: buildUrl(options.path),
      filePath: options.filePath,
      name: options.name || 'file',
      formData: options.formData,
      header,
    });
    return { res, token };
  };
  return perform(send, { auth: true, silent: Boolean(options.silent) });
}

/** Download a file the API serves to the signed-in user; resolves a local temp file path. */
function download(options) {
  const send = async () => {
    const { token } = authHeaders(true);
    const header = token ? { Authorization: `Bearer ${token}` } : {};
    const res = await wxDownloadFile({ url: buildUrl(options.path), header });
    return { res, token };
  };
  return perform(send, { auth: true, silent: Boolean(options.silent) });
}

module.exports = {
  ApiError,
  SESSION_KEY,
  request,
  upload,
  download,
  getSession,
  saveSession,
  clearSession,
  loginWithWeChat,
  refreshSession,
  setSessionExpiredHandler,
  newIdempotencyKey,
  toApiError,
  buildUrl,
};
