// Home: the one-click help entry (一键求助), reporting for someone else, and my applications.
// Staff signed in on this phone land on their worklist at launch (?as=resident stays here).

const auth = require('../../services/auth');

const WORKLIST = '/staff/pages/worklist/worklist';

Page({
  data: { staffSignedIn: false },

  onLoad(query) {
    if (auth.staffSession() && !(query && query.as === 'resident')) {
      wx.reLaunch({ url: WORKLIST });
      return;
    }
    this.setData({ staffSignedIn: Boolean(auth.staffSession()) });
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
    wx.navigateTo({ url: auth.staffSession() ? WORKLIST : '/staff/pages/login/login' });
  },

  callHotline() {
    wx.makePhoneCall({ phoneNumber: '12345', fail: () => {} });
  },

  callPolice() {
    wx.makePhoneCall({ phoneNumber: '110', fail: () => {} });
  },
});
