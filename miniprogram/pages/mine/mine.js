// My applications (我的求助), newest first, with pull-to-refresh and paging.

const applications = require('../../services/applications');
const { applicationSummary } = require('../../utils/format');

Page({
  data: { items: [], nextCursor: null, loading: false, loaded: false, error: '' },

  onShow() {
    this.reload();
  },

  onPullDownRefresh() {
    this.reload().then(() => wx.stopPullDownRefresh());
  },

  onReachBottom() {
    if (this.data.nextCursor && !this.data.loading) this.load(this.data.nextCursor);
  },

  reload() {
    return this.load(null);
  },

  async load(cursor) {
    this.setData({ loading: true, error: '' });
    try {
      const page = await applications.mine({ cursor });
      const items = page.items.map(applicationSummary);
      this.setData({
        items: cursor ? this.data.items.concat(items) : items,
        nextCursor: page.next_cursor,
      });
    } catch (e) {
      // Said in place with a retry: a failed load must never read as "no applications"
      // (a resident would submit a second time). Only a successful load is "loaded".
      this.setData({ error: e.message || '加载失败', loading: false });
      return;
    }
    this.setData({ loading: false, loaded: true });
  },

  retry() {
    this.load(this.data.items.length ? this.data.nextCursor : null);
  },

  open(e) {
    wx.navigateTo({ url: `/pages/detail/detail?id=${e.currentTarget.dataset.id}` });
  },

  apply() {
    wx.navigateTo({ url: '/pages/apply/apply?relation=self' });
  },
});
