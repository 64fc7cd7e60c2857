// The resident's own things that are not an application: the privacy notice and consent,
// subscribe messages (订阅消息) and a phone number verified by WeChat.

const api = require('../api/request');
const { ensureResident } = require('./auth');

/** GET /privacy-notice: {version, text} of the notice in force (public). */
function privacyNotice() {
  return api.request({ path: '/privacy-notice', auth: false, silent: true });
}

/** GET /me/subscription-templates: [{event, template_id, title}]. */
async function subscriptionTemplates() {
  await ensureResident();
  return api.request({ path: '/me/subscription-templates', silent: true });
}

/** POST /me/subscriptions {accepted: [template ids the resident allowed]}. */
async function reportSubscriptions(accepted) {
  await ensureResident();
  return api.request({ method: 'POST', path: '/me/subscriptions', data: { accepted }, silent: true });
}

/** POST /me/phone {code}: the number behind a getPhoneNumber button's code ({phone, masked}). */
async function verifiedPhone(code) {
  await ensureResident();
  return api.request({ method: 'POST', path: '/me/phone', data: { code }, silent: true });
}

module.exports = { privacyNotice, subscriptionTemplates, reportSubscriptions, verifiedPhone };
