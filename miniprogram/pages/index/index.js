// Home: the one-click help entry (一键求助), reporting for someone else, and my applications.

const auth = require('../../services/auth');

Page({
  data: { signingIn: false },

  onLoad() {
    // Sign in quietly so the apply form opens ready; a failure here is retried on submit.
    auth.ensureResident().catch(() => {});
  },

  helpSelf() {
    wx.navigateTo({ url: '/pages/apply/apply?relation=self' });
  },

  helpOther() {
    wx.navigateTo({ url: '/pages/apply/apply?relation=family' });
  },

  myApplications() {
    wx.navigateTo({ url: '/pages/mine/mine' });
  },

  staffLogin() {
    wx.navigateTo({ url: '/staff/pages/login/login' });
  },

  callHotline() {
    wx.makePhoneCall({ phoneNumber: '12345', fail: () => {} });
  },
});
