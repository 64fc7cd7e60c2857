// Subscribe messages (一次性订阅消息): ask with wx.requestSubscribeMessage for the templates the
// server uses, then tell the server which ones the resident accepted (POST /me/subscriptions).
// WeChat shows the pop-up only when asked straight from a tap, so pages load the template ids
// beforehand (loadTemplateIds) and call ask() first thing in their tap handler.

const MAX_PER_REQUEST = 3; // WeChat's limit for one pop-up

/** The template ids the resident accepted in a requestSubscribeMessage result. */
function acceptedIds(result, templateIds) {
  return templateIds.filter((id) => result && result[id] === 'accept');
}

/** The template ids to ask for ([] when the server has none or cannot be reached). */
async function loadTemplateIds(me) {
  try {
    const templates = await me.subscriptionTemplates();
    return (templates || []).map((t) => t.template_id).filter(Boolean).slice(0, MAX_PER_REQUEST);
  } catch (e) {
    return [];
  }
}

/**
 * Show the pop-up now (call synchronously from a tap) and report the accepted ids. Resolves
 * them; never rejects: refusing is the resident's right, and the flow goes on without messages.
 */
function ask(templateIds, me) {
  const ids = (templateIds || []).slice(0, MAX_PER_REQUEST);
  if (!ids.length || typeof wx.requestSubscribeMessage !== 'function') return Promise.resolve([]);
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({ tmplIds: ids, success: resolve, fail: () => resolve(null) });
  }).then(async (result) => {
    const accepted = acceptedIds(result, ids);
    if (accepted.length) {
      try {
        await me.reportSubscriptions(accepted);
      } catch (e) {
        // A convenience only: the case page offers to subscribe again.
      }
    }
    return accepted;
  });
}

module.exports = { ask, loadTemplateIds, acceptedIds };
