// A warning sent to this worker to verify on site (预警核实): what triggered it (evidence), then
// the outcome (confirmed or a false alarm) with the findings. The server allows it to the
// assignee of a dispatched warning only; its message is shown in place otherwise.

const staff = require('../../../services/staff');
const fmt = require('../../../utils/format');

const LEVELS = { red: '红色', orange: '橙色', yellow: '黄色' };
const OUTCOMES = [
  { value: 'confirmed', label: '情况属实' },
  { value: 'false_alarm', label: '误报，情况不属实' },
];

function view(warning) {
  return {
    id: warning.id,
    level: LEVELS[warning.level] || warning.level,
    status: warning.status,
    summary: warning.summary,
    person: warning.person ? `${warning.person.name || ''} ${warning.person.id_number_masked || ''}`.trim() : '',
    dueAt: fmt.formatTime(warning.due_at),
    canVerify: warning.status === 'dispatched',
    findings: warning.findings || '',
    evidence: (warning.evidence || []).map((e, index) => ({
      key: index,
      text: `${e.source} · ${e.field}：${e.value == null ? '—' : e.value}${e.threshold ? `（阈值 ${e.threshold}）` : ''}`,
    })),
  };
}

Page({
  data: { state: 'loading', error: '', warning: null, outcomes: OUTCOMES, outcome: '', findings: '', formError: '', saving: false },

  onLoad(query) {
    this.id = query.id;
    this.load();
  },

  async load() {
    this.setData({ state: 'loading' });
    try {
      this.setData({ state: 'ready', warning: view(await staff.getWarning(this.id)) });
    } catch (e) {
      this.setData({ state: 'error', error: e.message || '加载失败' });
    }
  },

  retry() {
    this.load();
  },

  chooseOutcome(e) {
    this.setData({ outcome: e.currentTarget.dataset.value, formError: '' });
  },

  onInput(e) {
    this.setData({ findings: e.detail.value, formError: '' });
  },

  async verify() {
    if (!this.data.outcome) {
      this.setData({ formError: '请选择核实结果' });
      return;
    }
    if (!this.data.findings.trim()) {
      this.setData({ formError: '请填写核实情况' });
      return;
    }
    this.setData({ saving: true });
    try {
      const warning = await staff.verifyWarning(this.id, this.data.outcome, this.data.findings);
      this.setData({ warning: view(warning) });
      wx.showToast({ title: '已登记核实结果', icon: 'success' });
    } catch (error) {
      this.setData({ formError: error.message });
    } finally {
      this.setData({ saving: false });
    }
  },
});
