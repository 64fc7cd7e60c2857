// Jiuzhu 救助 mini program: residents' one-click help and the staff subpackage.

const privacy = require('./utils/privacy');
const session = require('./services/session');

const STAFF_LOGIN = '/staff/pages/login/login';

/** Report an error to WeChat's real-time log (小程序管理后台 > 开发管理 > 运维中心 > 实时日志). */
function report(kind, detail) {
  const text = String((detail && (detail.stack || detail.message)) || detail || '').slice(0, 2000);
  try {
    const logger = typeof wx.getRealtimeLogManager === 'function' ? wx.getRealtimeLogManager() : null;
    if (logger) logger.error(kind, text);
  } catch (e) {
    // Logging must never break the app.
  }
  console.error(kind, text);
}

/** A new version downloaded while the old one runs: offer to restart into it. */
function watchForUpdates() {
  if (typeof wx.getUpdateManager !== 'function') return;
  const manager = wx.getUpdateManager();
  manager.onUpdateReady(() => {
    wx.showModal({
      title: '发现新版本',
      content: '新版本已准备好，是否重启使用？未提交的内容已保存在草稿中。',
      confirmText: '重启',
      success: (res) => {
        if (res.confirm) manager.applyUpdate();
      },
    });
  });
  manager.onUpdateFailed(() => report('update_failed', '新版本下载失败'));
}

App({
  onLaunch() {
    watchForUpdates();
    privacy.register();
    // A staff session that can no longer be refreshed (nor renewed with the bound WeChat) goes
    // back to the staff login page; residents are signed in again by the request layer itself.
    session.onStaffSessionExpired(() => wx.reLaunch({ url: STAFF_LOGIN }));
    // Visits recorded offline go out as soon as the network is back.
    if (typeof wx.onNetworkStatusChange === 'function') {
      wx.onNetworkStatusChange((res) => {
        if (res.isConnected) session.flushVisits().catch(() => {});
      });
    }
  },

  onError(error) {
    report('app_error', error);
  },

  onUnhandledRejection(event) {
    report('unhandled_rejection', event && event.reason);
  },

  report,
});
