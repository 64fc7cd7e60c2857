// The triage queue for the signed-in staff member's jurisdiction.

const auth = require('../../../services/auth');
const staff = require('../../../services/staff');
const { applicationSummary, roleLabel } = require('../../../utils/format');

const TABS = [
  { key: 'new', label: '待受理', status: ['submitted'] },
  { key: 'working', label: '办理中', status: ['accepted', 'investigating', 'reviewing'] },
  { key: 'done', label: '已结束', status: ['approved', 'denied', 'rejected', 'referred', 'closed', 'withdrawn'] },
  { key: 'all', label: '全部', status: [] },
];

Page({
  data: {
    tabs: TABS,
    tab: 0,
    overdue: false,
    q: '',
    items: [],
    nextCursor: null,
    loading: false,
    loaded: false,
    error: '',
    user: null,
  },

  onLoad() {
    if (!auth.isStaff()) {
      wx.reLaunch({ url: '/staff/pages/login/login' });
      return;
    }
    auth
      .me()
      .then((me) => this.setData({ user: { name: me.display_name || '', role: roleLabel(me.role) } }))
      .catch(() => {});
  },

  onShow() {
    if (auth.isStaff()) this.load(null);
  },

  onPullDownRefresh() {
    this.load(null).then(() => wx.stopPullDownRefresh());
  },

  onReachBottom() {
    if (this.data.nextCursor && !this.data.loading) this.load(this.data.nextCursor);
  },

  filters() {
    const filters = { status: TABS[this.data.tab].status };
    if (this.data.overdue) filters.overdue = true;
    if (this.data.q.trim()) filters.q = this.data.q.trim();
    return filters;
  },

  async load(cursor) {
    this.setData({ loading: true, error: '' });
    try {
      const page = await staff.queue(this.filters(), { cursor });
      const items = page.items.map(applicationSummary);
      this.setData({ items: cursor ? this.data.items.concat(items) : items, nextCursor: page.next_cursor });
    } catch (e) {
      // Said in place with a retry: a failed load never reads as an empty queue.
      this.setData({ error: e.message || '加载失败' });
    } finally {
      this.setData({ loading: false, loaded: true });
    }
  },

  switchTab(e) {
    this.setData({ tab: Number(e.currentTarget.dataset.index) });
    this.load(null);
  },

  toggleOverdue(e) {
    this.setData({ overdue: e.detail.value });
    this.load(null);
  },

  onSearchInput(e) {
    this.setData({ q: e.detail.value });
  },

  search() {
    this.load(null);
  },

  open(e) {
    wx.navigateTo({ url: `/staff/pages/case/case?id=${e.currentTarget.dataset.id}` });
  },

  retry() {
    this.load(null);
  },

  logout() {
    auth.logout('staff');
    wx.reLaunch({ url: '/pages/index/index' });
  },
});
