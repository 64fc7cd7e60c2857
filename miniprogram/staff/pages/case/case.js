// A case for staff in scope: subject, request, history with internal notes, attachments, and
// the transition buttons the signed-in role may use (utils/transitions.js).

const auth = require('../../../services/auth');
const staff = require('../../../services/staff');
const fmt = require('../../../utils/format');
const { availableActions, transitionBody } = require('../../../utils/transitions');

// Who may assign (cases:assign) and when (app/intake: ASSIGNABLE).
const ASSIGNERS = ['street_officer', 'district_officer'];
const ASSIGNABLE = ['submitted', 'accepted', 'investigating'];

const CATEGORIES = Object.keys(fmt.CATEGORY_LABELS).map((value) => ({ value, label: fmt.CATEGORY_LABELS[value] }));

function caseView(detail) {
  const subject = detail.subject || {};
  return {
    id: detail.id,
    reference: detail.reference,
    status: detail.status,
    statusLabel: fmt.statusLabel(detail.status),
    urgent: detail.priority === 'urgent',
    overdue: detail.overdue,
    dueAt: detail.deadline_unknown ? '待定（节假日安排未录入）' : fmt.formatTime(detail.due_at),
    channel: fmt.channelLabel(detail.channel),
    relation: fmt.relationLabel(detail.relation),
    name: subject.name,
    idNumber: subject.id_number_masked || '未填写',
    phone: subject.phone_masked || '未填写',
    region: subject.region_name,
    address: subject.address || '',
    householdSize: subject.household_size || '',
    helpTypes: (detail.help_types || []).map(fmt.helpTypeLabel).join('、'),
    description: detail.description,
    createdAt: fmt.formatTime(detail.created_at),
    assigned: detail.assignee_id ? `工作人员 #${detail.assignee_id}` : '未分派',
    decision: detail.decision
      ? `${fmt.categoryLabel(detail.decision.category)}${detail.decision.monthly_amount ? `，每月 ${detail.decision.monthly_amount} 元` : ''}`
      : '',
  };
}

function eventsView(events) {
  return (events || [])
    .map((e) => ({
      id: e.id,
      label: fmt.eventLabel(e.action),
      status: fmt.statusLabel(e.to_status),
      time: fmt.formatTime(e.at),
      note: e.note,
      publicNote: e.public_note,
    }))
    .reverse();
}

function attachmentsView(attachments) {
  return (attachments || []).map((a, index) => ({
    id: a.id,
    name: `${a.content_type === 'application/pdf' ? '文件' : '照片'} ${index + 1}`,
    isPdf: a.content_type === 'application/pdf',
    size: fmt.formatSize(a.size),
    time: fmt.formatTime(a.created_at),
  }));
}

Page({
  data: {
    detail: null,
    events: [],
    attachments: [],
    actions: [],
    pending: null,
    note: '',
    publicNote: '',
    categories: CATEGORIES,
    category: '',
    monthlyAmount: '',
    working: false,
    loadState: 'loading', // loading | ready | error
    loadError: '',
    canAssign: false,
    assigning: false,
    assignees: [], // [{value: id, label}] for t-radio-group
    assigneesState: 'loading', // loading | ready
    assigneeId: null,
    newNote: '',
    revealing: false,
    revealReason: '',
    revealed: null,
  },

  onLoad(query) {
    this.id = query.id;
    this.load();
  },

  retry() {
    this.load();
  },

  onPullDownRefresh() {
    this.load().then(() => wx.stopPullDownRefresh());
  },

  async load() {
    if (!this.data.detail) this.setData({ loadState: 'loading' });
    try {
      this.show(await staff.getCase(this.id));
    } catch (e) {
      // Said in place with a retry (404 outside the jurisdiction).
      if (!this.data.detail) this.setData({ loadState: 'error', loadError: e.message || '加载失败' });
    }
  },

  show(detail) {
    const user = auth.currentUser('staff');
    this.setData({
      detail: caseView(detail),
      events: eventsView(detail.events),
      attachments: attachmentsView(detail.attachments),
      actions: availableActions(detail, user),
      canAssign: ASSIGNERS.includes(user && user.role) && ASSIGNABLE.includes(detail.status),
      pending: null,
      loadState: 'ready',
    });
  },

  // ---- assign (分派): the list is whom the server accepts ----

  async startAssign() {
    this.setData({ assigning: true, assignees: [], assigneesState: 'loading', assigneeId: null });
    try {
      const list = await staff.assignees(this.id);
      this.setData({
        assignees: list.map((a) => ({ value: a.id, label: `${a.display_name}（${fmt.roleLabel(a.role)}）` })),
        assigneesState: 'ready',
      });
    } catch (e) {
      this.setData({ assigning: false });
      wx.showToast({ title: e.message, icon: 'none' });
    }
  },

  /** t-radio-group: detail.value is the assignee's id. */
  onAssigneeChange(e) {
    this.setData({ assigneeId: e.detail.value });
  },

  cancelAssign() {
    this.setData({ assigning: false });
  },

  async confirmAssign() {
    const chosen = this.data.assignees.find((a) => a.value === this.data.assigneeId);
    if (!chosen) {
      wx.showToast({ title: '请选择承办人', icon: 'none' });
      return;
    }
    this.setData({ working: true });
    try {
      this.show(await staff.assign(this.id, chosen.value, ''));
      this.setData({ assigning: false });
      wx.showToast({ title: '已分派', icon: 'success' });
    } catch (err) {
      // shown by the request layer
    } finally {
      this.setData({ working: false });
    }
  },

  // ---- internal notes ----

  async addNote() {
    const note = this.data.newNote.trim();
    if (!note) {
      wx.showToast({ title: '请填写备注', icon: 'none' });
      return;
    }
    this.setData({ working: true });
    try {
      this.show(await staff.addNote(this.id, note));
      this.setData({ newNote: '' });
    } catch (err) {
      // shown by the request layer
    } finally {
      this.setData({ working: false });
    }
  },

  // ---- reveal (查看完整信息, audited with a reason) ----

  startReveal() {
    this.setData({ revealing: true, revealReason: '' });
  },

  cancelReveal() {
    this.setData({ revealing: false });
  },

  async confirmReveal() {
    const reason = this.data.revealReason.trim();
    if (reason.length < 2) {
      wx.showToast({ title: '请填写查看原因（会被记录）', icon: 'none' });
      return;
    }
    try {
      const revealed = await staff.reveal(this.id, reason);
      this.setData({ revealing: false, revealed: { idNumber: revealed.id_number || '未填写', phone: revealed.phone || '未填写' } });
    } catch (err) {
      wx.showToast({ title: err.message, icon: 'none' });
    }
  },

  hideRevealed() {
    this.setData({ revealed: null });
  },

  callSubject() {
    if (this.data.revealed && /^[0-9-]+$/.test(this.data.revealed.phone)) {
      wx.makePhoneCall({ phoneNumber: this.data.revealed.phone, fail: () => {} });
    }
  },

  startAction(e) {
    const action = this.data.actions.find((a) => a.action === e.currentTarget.dataset.action);
    this.setData({ pending: action, note: '', publicNote: '', category: '', monthlyAmount: '' });
  },

  cancelAction() {
    this.setData({ pending: null });
  },

  onInput(e) {
    this.setData({ [e.currentTarget.dataset.field]: e.detail.value });
  },

  /** t-radio-group: detail.value is the category. */
  onCategoryChange(e) {
    this.setData({ category: e.detail.value });
  },

  async confirmAction() {
    const { pending, note, publicNote, category, monthlyAmount, working } = this.data;
    if (!pending || working) return;
    const { body, error } = transitionBody(pending.action, { note, publicNote, category, monthlyAmount });
    if (error) {
      wx.showToast({ title: error, icon: 'none' });
      return;
    }
    this.setData({ working: true });
    try {
      this.show(await staff.transition(this.id, body));
      wx.showToast({ title: `已${pending.label}`, icon: 'success' });
    } catch (err) {
      // 409 invalid_transition: someone moved the case meanwhile; show the fresh state.
      if (err.statusCode === 409) this.load();
    } finally {
      this.setData({ working: false });
    }
  },

  async openAttachment(e) {
    const { id, pdf } = e.currentTarget.dataset;
    try {
      const path = await staff.downloadAttachment(this.id, id);
      if (pdf) wx.openDocument({ filePath: path, fileType: 'pdf' });
      else wx.previewImage({ urls: [path] });
    } catch (err) {
      // shown by the request layer
    }
  },
});
