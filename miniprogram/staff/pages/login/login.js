// Staff sign-in (工作人员登录): once with the account the district issued, binding this WeChat
// to it; afterwards the bound WeChat signs in alone and the mini program opens on the worklist.

const auth = require('../../../services/auth');

const WORKLIST = '/staff/pages/worklist/worklist';

Page({
  data: { username: '', password: '', bind: true, submitting: false, error: '', checking: true },

  async onLoad() {
    if (auth.staffSession()) {
      wx.redirectTo({ url: WORKLIST });
      return;
    }
    // A WeChat bound earlier signs in without the password.
    try {
      await auth.loginStaffWithWeChat();
      wx.reLaunch({ url: WORKLIST });
      return;
    } catch (e) {
      // wechat_not_bound (or offline): the form below.
    }
    this.setData({ checking: false });
  },

  onInput(e) {
    this.setData({ [e.currentTarget.dataset.field]: e.detail.value, error: '' });
  },

  onBindChange(e) {
    this.setData({ bind: Boolean(e.detail.checked) });
  },

  async login() {
    const { username, password, bind } = this.data;
    if (!username.trim() || !password) {
      this.setData({ error: '请输入用户名和密码' });
      return;
    }
    this.setData({ submitting: true });
    try {
      if (bind) await auth.bindStaffWeChat(username, password);
      else await auth.loginStaff(username, password);
      wx.reLaunch({ url: WORKLIST });
    } catch (error) {
      // Wrong password and unknown user get the same 401 message from the server.
      this.setData({ error: error.message, password: '' });
    } finally {
      this.setData({ submitting: false });
    }
  },
});
