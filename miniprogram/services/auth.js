// Sign-in for residents (WeChat) and staff (username and password, then their bound WeChat),
// and who is signed in. The two sessions are kept apart (api/request.js): a staff member who
// also asks for help as a resident stays signed in as staff.

const api = require('../api/request');

/** The signed-in user ({id, role}) of `kind`, or without a kind the staff one if any. */
function currentUser(kind) {
  const session = api.getSession(kind);
  return session ? session.user : null;
}

function isStaff(user) {
  const u = user === undefined ? currentUser('staff') : user;
  return Boolean(u && u.role && u.role !== 'resident');
}

/** The staff session, or null. */
function staffSession() {
  return api.getSession('staff');
}

/** A resident session, signing in with wx.login when there is none. Never touches staff's. */
async function ensureResident() {
  const session = api.getSession('resident');
  if (session && session.user && session.user.role === 'resident') return session;
  return api.loginWithWeChat();
}

/** POST /auth/staff/login; the server's message (e.g. wrong password) is shown by the caller. */
async function loginStaff(username, password) {
  const pair = await api.request({
    method: 'POST',
    path: '/auth/staff/login',
    data: { username: String(username || '').trim(), password: String(password || '') },
    auth: false,
    silent: true,
  });
  return api.saveSession(pair);
}

function wxLoginCode() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => (res.code ? resolve(res.code) : reject(new api.ApiError({ statusCode: 0, code: 'wechat_login_failed', message: '微信登录失败，请重试' }))),
      fail: () => reject(new api.ApiError({ statusCode: 0, code: 'wechat_login_failed', message: '微信登录失败，请重试' })),
    });
  });
}

/**
 * Bind this WeChat to the staff account once: username and password, then a wx.login code
 * (POST /auth/staff/wechat/bind). Signs in as staff; later launches sign in with WeChat alone.
 */
async function bindStaffWeChat(username, password) {
  const code = await wxLoginCode();
  const pair = await api.request({
    method: 'POST',
    path: '/auth/staff/wechat/bind',
    data: { username: String(username || '').trim(), password: String(password || ''), code },
    auth: false,
    silent: true,
  });
  return api.saveSession(pair);
}

/** Staff sign-in with the bound WeChat alone (POST /auth/staff/wechat/login). */
function loginStaffWithWeChat() {
  return api.loginStaffWithWeChat();
}

/** DELETE /auth/staff/wechat: this account no longer signs in with this WeChat. */
function unbindStaffWeChat() {
  return api.request({ method: 'DELETE', path: '/auth/staff/wechat', as: 'staff' });
}

/** Sign out of `kind` ('staff' or 'resident'), or of both. */
function logout(kind) {
  api.clearSession(kind);
}

/** GET /me as `kind` (default staff when signed in as staff): id, role, kind, region_code. */
function me(kind) {
  return api.request({ path: '/me', as: kind || (staffSession() ? 'staff' : 'resident') });
}

module.exports = {
  currentUser,
  isStaff,
  staffSession,
  ensureResident,
  loginStaff,
  bindStaffWeChat,
  loginStaffWithWeChat,
  unbindStaffWeChat,
  logout,
  me,
};
