// The triage queue for the signed-in staff member's jurisdiction.

const auth = require('../../../services/auth');
const staff = require('../../../services/staff');
const { applicationSummary, roleLabel } = require('../../../utils/format');

// t-tag themes (colours at AA in app.wxss): decided in favour, closed without aid, still open.
const TAG_THEMES = { approved: 'success', closed: 'success', rejected: 'default', denied: 'default', withdrawn: 'default', referred: 'default' };

function itemView(application) {
  const item = applicationSummary(application);
  return { ...item, tagTheme: TAG_THEMES[item.status] || 'primary' };
}

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
      const items = page.items.map(itemView);
      this.setData({ items: cursor ? this.data.items.concat(items) : items, nextCursor: page.next_cursor });
    } catch (e) {
      // Said in place with a retry: a failed load never reads as an empty queue.
      this.setData({ error: e.message || '加载失败' });
    } finally {
      this.setData({ loading: false, loaded: true });
    }
  },

  /** t-tabs: detail.value is the tab's index. */
  switchTab(e) {
    const tab = Number(e.detail.value);
    if (!(tab >= 0 && tab < TABS.length) || tab === this.data.tab) return;
    this.setData({ tab });
    this.load(null);
  },

  /** t-switch: detail.value is the new state. */
  toggleOverdue(e) {
    this.setData({ overdue: Boolean(e.detail.value) });
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
