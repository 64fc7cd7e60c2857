// Jiuzhu 救助 mini program: residents' one-click help and the staff subpackage.

const api = require('./api/request');

const STAFF_LOGIN = '/staff/pages/login/login';

App({
  onLaunch() {
    // A staff session that can no longer be refreshed goes back to the staff login page;
    // residents are signed in again with wx.login by the request layer itself.
    api.setSessionExpiredHandler((role) => {
      const pages = getCurrentPages();
      const current = pages.length ? pages[pages.length - 1].route : '';
      if ((role && role !== 'resident') || current.indexOf('staff/') === 0) {
        wx.reLaunch({ url: STAFF_LOGIN });
      }
    });
  },
});
