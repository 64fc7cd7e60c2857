// The staff member's day (工作台): cases assigned to them, households due a visit, warnings sent
// to them to verify, and the visits still waiting on this phone to be sent. Each part loads on
// its own and says so when it fails (with a retry): a failed part never reads as "nothing".

const auth = require('../../../services/auth');
const session = require('../../../services/session');
const staff = require('../../../services/staff');
const visitQueue = require('../../../utils/visit-queue');
const fmt = require('../../../utils/format');

const WARNING_LEVELS = { red: '红色', orange: '橙色', yellow: '黄色' };
const RISK_LABELS = { high: '高风险', medium: '中风险', low: '低风险' };

function partView(part, mapItem) {
  if (part.error) return { state: 'error', error: part.error.message || '加载失败', items: [] };
  return { state: part.items.length ? 'ready' : 'empty', error: '', items: part.items.map(mapItem) };
}

function caseItem(item) {
  const summary = fmt.applicationSummary(item);
  return { ...summary, id: item.id };
}

function visitItem(item) {
  return {
    id: item.household_id,
    reference: item.reference,
    risk: RISK_LABELS[item.risk_level] || item.risk_level,
    dueOn: item.next_due_on,
    overdueDays: item.overdue_days,
    openWarnings: item.open_warnings,
  };
}

function warningItem(item) {
  return {
    id: item.id,
    level: WARNING_LEVELS[item.level] || item.level,
    levelKey: item.level,
    summary: item.summary,
    person: item.person ? `${item.person.name || ''} ${item.person.id_number_masked || ''}`.trim() : '',
    dueAt: fmt.formatTime(item.due_at),
  };
}

function queuedView() {
  return visitQueue.list().map((item) => ({
    key: item.key,
    label: item.label || `家庭 #${item.householdId}`,
    state: item.state,
    error: item.error,
    queuedAt: fmt.formatTime(new Date(item.queuedAt).toISOString()),
  }));
}

const LOADING = { state: 'loading', error: '', items: [] };

Page({
  data: {
    user: null,
    cases: LOADING,
    visits: LOADING,
    warnings: LOADING,
    queued: [],
    sending: false,
  },

  onLoad() {
    if (!auth.staffSession()) {
      wx.reLaunch({ url: '/staff/pages/login/login' });
    }
  },

  onShow() {
    if (!auth.staffSession()) return;
    this.load();
    this.sendQueued();
  },

  onPullDownRefresh() {
    Promise.all([this.load(), this.sendQueued()]).then(() => wx.stopPullDownRefresh());
  },

  async load() {
    this.setData({ cases: LOADING, visits: LOADING, warnings: LOADING });
    let me;
    try {
      me = this.me || (this.me = await staff.me());
    } catch (error) {
      const failed = { state: 'error', error: error.message || '加载失败', items: [] };
      this.setData({ cases: failed, visits: failed, warnings: failed });
      return;
    }
    this.setData({ user: { name: me.display_name || '', role: fmt.roleLabel(me.role) } });
    const parts = await staff.worklist(me.id);
    this.setData({
      cases: partView(parts.cases, caseItem),
      visits: partView(parts.visits, visitItem),
      warnings: partView(parts.warnings, warningItem),
    });
  },

  retry() {
    this.load();
  },

  async sendQueued() {
    this.setData({ queued: queuedView() });
    if (!this.data.queued.length) return;
    this.setData({ sending: true });
    try {
      const result = await session.flushVisits();
      if (result.sent) wx.showToast({ title: `已发送 ${result.sent} 条走访记录`, icon: 'success' });
    } finally {
      this.setData({ sending: false, queued: queuedView() });
    }
  },

  discardQueued(e) {
    const key = e.currentTarget.dataset.key;
    wx.showModal({
      title: '删除这条走访记录？',
      content: '服务器拒绝了这条记录，删除后不会再发送。',
      confirmText: '删除',
      success: (res) => {
        if (!res.confirm) return;
        visitQueue.discard(key);
        this.setData({ queued: queuedView() });
      },
    });
  },

  openCase(e) {
    wx.navigateTo({ url: `/staff/pages/case/case?id=${e.currentTarget.dataset.id}` });
  },

  openVisit(e) {
    const { id, reference } = e.currentTarget.dataset;
    wx.navigateTo({ url: `/staff/pages/visit/visit?household=${id}&reference=${encodeURIComponent(reference || '')}` });
  },

  openWarning(e) {
    wx.navigateTo({ url: `/staff/pages/warning/warning?id=${e.currentTarget.dataset.id}` });
  },

  openQueue() {
    wx.navigateTo({ url: '/staff/pages/queue/queue' });
  },

  residentHome() {
    wx.reLaunch({ url: '/pages/index/index?as=resident' });
  },

  logout() {
    auth.logout('staff');
    wx.reLaunch({ url: '/pages/index/index' });
  },
});
