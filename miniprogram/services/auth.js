// Sign-in for residents (WeChat) and staff (username and password), and who is signed in.

const api = require('../api/request');

/** The signed-in user ({id, role}) or null. */
function currentUser() {
  const session = api.getSession();
  return session ? session.user : null;
}

function isStaff(user) {
  const u = user === undefined ? currentUser() : user;
  return Boolean(u && u.role && u.role !== 'resident');
}

/** A resident session, signing in with wx.login when there is none (or a staff one). */
async function ensureResident() {
  const session = api.getSession();
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

function logout() {
  api.clearSession();
}

/** GET /me: id, role, kind, region_code and display_name for staff. */
function me() {
  return api.request({ path: '/me' });
}

module.exports = { currentUser, isStaff, ensureResident, loginStaff, logout, me };
