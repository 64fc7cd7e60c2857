// The privacy agreement flow (用户隐私保护指引): with `__usePrivacyCheck__` in app.json, WeChat
// stops every privacy API (wx.chooseMedia, getPhoneNumber, wx.getLocation…) until the user
// agrees, and calls wx.onNeedPrivacyAuthorization. The handler keeps WeChat's `resolve` here
// and asks the privacy-popup component on the current page to show; its agree button
// (open-type="agreePrivacyAuthorization") or its refuse button settles it. A refusal is said
// out loud: the photo button that "did nothing" now explains why.

let pending = null; // WeChat's resolve for the API call that is waiting
const listeners = new Set();

/** A privacy-popup component listens while its page is shown; returns the unsubscribe. */
function listen(show) {
  listeners.add(show);
  return () => listeners.delete(show);
}

/** wx.onNeedPrivacyAuthorization's handler (registered in app.js). */
function onNeed(resolve, eventInfo) {
  pending = resolve;
  const show = Array.from(listeners).pop();
  if (show) {
    show(eventInfo || {});
    return;
  }
  // No popup on this page: refuse now rather than leave the call hanging.
  disagree();
}

/** The user tapped the agree button whose id is `buttonId`. */
function agree(buttonId) {
  if (pending) pending({ buttonId, event: 'agree' });
  pending = null;
}

/** The user refused: the waiting API fails, and they are told what that means. */
function disagree() {
  if (pending) pending({ event: 'disagree' });
  pending = null;
  wx.showToast({ title: '未同意隐私保护指引，无法使用此功能', icon: 'none', duration: 3000 });
}

/** Open the mini program's privacy guide (configured in the mini program console). */
function openContract() {
  if (typeof wx.openPrivacyContract === 'function') {
    wx.openPrivacyContract({ fail: () => wx.showToast({ title: '无法打开隐私保护指引', icon: 'none' }) });
  }
}

function register() {
  if (typeof wx.onNeedPrivacyAuthorization === 'function') wx.onNeedPrivacyAuthorization(onNeed);
}

function hasPending() {
  return pending !== null;
}

module.exports = { register, listen, onNeed, agree, disagree, openContract, hasPending };
