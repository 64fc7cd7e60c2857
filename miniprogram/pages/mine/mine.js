// My applications (我的求助), newest first, with pull-to-refresh and paging.

const applications = require('../../services/applications');
const { applicationSummary } = require('../../utils/format');

Page({
  data: { items: [], nextCursor: null, loading: false, loaded: false },

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
    this.setData({ loading: true });
    try {
      const page = await applications.mine({ cursor });
      const items = page.items.map(applicationSummary);
      this.setData({
        items: cursor ? this.data.items.concat(items) : items,
        nextCursor: page.next_cursor,
      });
    } catch (e) {
      // The request layer showed the error.
    } finally {
      this.setData({ loading: false, loaded: true });
    }
  },

  open(e) {
    wx.navigateTo({ url: `/pages/detail/detail?id=${e.currentTarget.dataset.id}` });
  },

  apply() {
    wx.navigateTo({ url: '/pages/apply/apply?relation=self' });
  },
});
