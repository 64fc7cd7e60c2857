// Staff sign-in (工作人员登录) with the account the district issued.

const auth = require('../../../services/auth');

const QUEUE = '/staff/pages/queue/queue';

Page({
  data: { username: '', password: '', submitting: false, error: '' },

  onLoad() {
    if (auth.isStaff()) wx.redirectTo({ url: QUEUE });
  },

  onInput(e) {
    this.setData({ [e.currentTarget.dataset.field]: e.detail.value, error: '' });
  },

  async login() {
    const { username, password } = this.data;
    if (!username.trim() || !password) {
      this.setData({ error: '请输入用户名和密码' });
      return;
    }
    this.setData({ submitting: true });
    try {
      await auth.loginStaff(username, password);
      wx.reLaunch({ url: QUEUE });
    } catch (error) {
      // Wrong password and unknown user get the same 401 message from the server.
      this.setData({ error: error.message, password: '' });
    } finally {
      this.setData({ submitting: false });
    }
  },
});
