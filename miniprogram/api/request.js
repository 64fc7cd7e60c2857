// The one way to the API: token storage, WeChat login, refresh on 401 (once, then retry),
// statusCode checks, error toasts with the server's {"code", "message"}, Idempotency-Key for
// creates. Pages never call wx.request; services/*.js call this module.

const config = require('../config');
const { newIdempotencyKey } = require('../utils/idempotency');

// Two sessions side by side: a resident's (wx.login) and a staff member's (username and password,
// or their bound WeChat). Signing in as one never signs the other out; cold starts keep both.
const SESSION_KEYS = { resident: 'jiuzhu.session.resident', staff: 'jiuzhu.session.staff' };
// Where one shared session was kept before the split: moved into its slot on first read.
const LEGACY_SESSION_KEY = 'jiuzhu.session';

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

/** 'staff' for any staff role, else 'resident'. */
function kindOfRole(role) {
  return role && role !== 'resident' ? 'staff' : 'resident';
}

/** Which session a path is called with when the caller does not say: /staff/... is staff's. */
function kindForPath(path) {
  return /^\/(staff|auth\/staff)(\/|$)/.test(String(path || '')) ? 'staff' : 'resident';
}

function readSlot(key) {
  try {
    const session = wx.getStorageSync(key);
    return session && session.accessToken ? session : null;
  } catch (e) {
    return null;
  }
}

function migrateLegacySession() {
  const old = readSlot(LEGACY_SESSION_KEY);
  if (!old) return;
  const key = SESSION_KEYS[kindOfRole(old.user && old.user.role)];
  if (!readSlot(key)) wx.setStorageSync(key, old);
  wx.removeStorageSync(LEGACY_SESSION_KEY);
}

/**
 * The stored session of `kind` ('resident' or 'staff'): {accessToken, refreshToken, expiresAt,
 * user: {id, role}} or null. Without a kind: the staff session if there is one, else the resident's.
 */
function getSession(kind) {
  migrateLegacySession();
  if (kind) return readSlot(SESSION_KEYS[kind]);
  return readSlot(SESSION_KEYS.staff) || readSlot(SESSION_KEYS.resident);
}

/** Keep a token pair as the API returns it (login and refresh), in its role's slot. */
function saveSession(pair) {
  const session = {
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    expiresAt: Date.now() + Number(pair.expires_in || 0) * 1000,
    user: pair.user,
  };
  wx.setStorageSync(SESSION_KEYS[kindOfRole(pair.user && pair.user.role)], session);
  return session;
}

/** Forget the session of `kind`, or both without one. */
function clearSession(kind) {
  if (kind) {
    wx.removeStorageSync(SESSION_KEYS[kind]);
    return;
  }
  wx.removeStorageSync(SESSION_KEYS.resident);
  wx.removeStorageSync(SESSION_KEYS.staff);
  wx.removeStorageSync(LEGACY_SESSION_KEY);
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

const loggingIn = {};

/**
 * wx.login, then POST `path` with the code; concurrent callers of the same path share one
 * login. The session the server answers is saved in its slot.
 */
function codeLogin(path) {
  if (!loggingIn[path]) {
    loggingIn[path] = (async () => {
      const code = await wxLoginCode();
      const res = await wxRequest({
        url: buildUrl(path),
        method: 'POST',
        data: { code },
        header: { 'Content-Type': 'application/json' },
      });
      if (res.statusCode !== 200) throw toApiError(res.statusCode, res.data);
      return saveSession(res.data);
    })().finally(() => {
      delete loggingIn[path];
    });
  }
  return loggingIn[path];
}

/** wx.login, then POST /auth/wechat/login. */
function loginWithWeChat() {
  return codeLogin('/auth/wechat/login');
}

/**
 * Staff whose WeChat is bound to their account: wx.login, then POST /auth/staff/wechat/login.
 * Rejects with the server's 401 `wechat_not_bound` when it is not.
 */
function loginStaffWithWeChat() {
  return codeLogin('/auth/staff/wechat/login');
}

const refreshing = { resident: null, staff: null };

/**
 * POST /auth/refresh with the stored refresh token. Refresh tokens are single use, so
 * concurrent 401s share one refresh. Resolves true when a new pair is stored, 'offline' when
 * the server could not be reached (the session is kept), false when it was refused.
 */
function refreshSession(kind = 'resident') {
  const session = getSession(kind);
  if (!session || !session.refreshToken) return Promise.resolve(false);
  if (!refreshing[kind]) {
    refreshing[kind] = wxRequest({
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
      // No network: say so, so the session is kept for when it is back (offline visits).
      .catch(() => 'offline')
      .finally(() => {
        refreshing[kind] = null;
      });
  }
  return refreshing[kind];
}

/**
 * After a 401: a token another request already refreshed, else one refresh; a resident whose
 * refresh failed signs in again with wx.login, staff with their bound WeChat (if bound).
 * Resolves true when a retry makes sense.
 */
async function recover(usedToken, kind) {
  const current = getSession(kind);
  if (current && usedToken && current.accessToken !== usedToken) return true;
  const refreshed = await refreshSession(kind);
  if (refreshed === 'offline') return false;
  if (refreshed) return true;
  const role = current && current.user ? current.user.role : null;
  clearSession(kind);
  try {
    if (kind === 'resident') {
      await loginWithWeChat();
      return true;
    }
    if (role) {
      await loginStaffWithWeChat();
      return true;
    }
  } catch (e) {
    if (kind === 'resident') return false;
  }
  if (onSessionExpired) onSessionExpired(role || kind);
  return false;
}

// ---- requests ----

async function perform(send, { auth, silent, kind }) {
  try {
    let attempt = await send();
    if (attempt.res.statusCode === 401 && auth && (await recover(attempt.token, kind))) {
      attempt = await send();
      if (attempt.res.statusCode === 401) {
        const session = getSession(kind);
        clearSession(kind);
        if (onSessionExpired) onSessionExpired(session && session.user ? session.user.role : kind);
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

function authHeaders(auth, kind) {
  const session = auth ? getSession(kind) : null;
  return { token: session ? session.accessToken : null };
}

/**
 * Call the API. options: method ('GET'), path ('/applications/mine'), query, data,
 * auth (true: send the stored token and recover from 401), idempotencyKey (POST creates),
 * silent (no toast; the caller shows the error), as ('resident' or 'staff': whose session;
 * by default staff's for /staff/... paths). Resolves the response body, rejects ApiError.
 */
function request(options) {
  const method = (options.method || 'GET').toUpperCase();
  const auth = options.auth !== false;
  const kind = options.as || kindForPath(options.path);
  const send = async () => {
    const { token } = authHeaders(auth, kind);
    const header = { Accept: 'application/json', ...(options.header || {}) };
    if (options.data !== undefined) header['Content-Type'] = 'application/json';
    if (token) header.Authorization = `Bearer ${token}`;
    if (options.idempotencyKey) header['Idempotency-Key'] = options.idempotencyKey;
    const res = await wxRequest({ url: buildUrl(options.path, options.query), method, data: options.data, header });
    return { res, token };
  };
  return perform(send, { auth, silent: Boolean(options.silent), kind });
}

/**
 * Upload a local file (wx.uploadFile, multipart). options: path, filePath, name ('file'),
 * idempotencyKey, silent. Same 401 handling and errors as request().
 */
function upload(options) {
  const kind = options.as || kindForPath(options.path);
  const send = async () => {
    const { token } = authHeaders(true, kind);
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
  return perform(send, { auth: true, silent: Boolean(options.silent), kind });
}

/** Download a file the API serves to the signed-in user; resolves a local temp file path. */
function download(options) {
  const kind = options.as || kindForPath(options.path);
  const send = async () => {
    const { token } = authHeaders(true, kind);
    const header = token ? { Authorization: `Bearer ${token}` } : {};
    const res = await wxDownloadFile({ url: buildUrl(options.path), header });
    return { res, token };
  };
  return perform(send, { auth: true, silent: Boolean(options.silent), kind });
}

module.exports = {
  ApiError,
  SESSION_KEYS,
  LEGACY_SESSION_KEY,
  kindOfRole,
  kindForPath,
  request,
  upload,
  download,
  getSession,
  saveSession,
  clearSession,
  loginWithWeChat,
  loginStaffWithWeChat,
  refreshSession,
  setSessionExpiredHandler,
  newIdempotencyKey,
  toApiError,
  buildUrl,
};
