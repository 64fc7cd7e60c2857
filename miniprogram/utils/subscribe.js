// Subscribe messages (一次性订阅消息): ask with wx.requestSubscribeMessage for the templates the
// server uses, then tell the server which ones the resident accepted (POST /me/subscriptions).
// Must be called from a tap (WeChat refuses the pop-up otherwise).

/** The template ids the resident accepted in a requestSubscribeMessage result. */
function acceptedIds(result, templateIds) {
  return templateIds.filter((id) => result && result[id] === 'accept');
}

/**
 * Ask for up to three templates (WeChat's limit per request) and report the accepted ones.
 * `me` is services/me.js. Resolves the accepted ids; never rejects (a refusal is the resident's
 * right, and the flow goes on without messages).
 */
async function askAndReport(me) {
  let templates;
  try {
    templates = await me.subscriptionTemplates();
  } catch (e) {
    return [];
  }
  const ids = (templates || []).map((t) => t.template_id).filter(Boolean).slice(0, 3);
  if (!ids.length || typeof wx.requestSubscribeMessage !== 'function') return [];
  const result = await new Promise((resolve) => {
    wx.requestSubscribeMessage({ tmplIds: ids, success: resolve, fail: () => resolve(null) });
  });
  const accepted = acceptedIds(result, ids);
  if (accepted.length) {
    try {
      await me.reportSubscriptions(accepted);
    } catch (e) {
      // The messages are a convenience: the case page asks again.
    }
  }
  return accepted;
}

module.exports = { askAndReport, acceptedIds };
