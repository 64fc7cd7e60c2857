// One application as its submitter sees it: reference, status timeline, details and the photos
// they sent; withdraw it before a decision, add photos while it is open (no more than the nine
// allowed), and ask for progress messages (订阅消息). When the case follows a statutory procedure
// (法定程序), its steps in plain Chinese and the documents given to the resident (决定书, 告知书),
// downloaded with their token and opened. Loading and failure are said in place.

const applications = require('../../services/applications');
const me = require('../../services/me');
const fmt = require('../../utils/format');
const subscribe = require('../../utils/subscribe');
const { newIdempotencyKey } = require('../../utils/idempotency');

const WITHDRAWABLE = ['submitted', 'accepted', 'investigating'];
const OPEN = ['submitted', 'accepted', 'investigating', 'reviewing'];

function view(application) {
  const subject = application.subject || {};
  return {
    id: application.id,
    reference: application.reference,
    status: application.status,
    statusLabel: fmt.statusLabel(application.status),
    relation: fmt.relationLabel(application.relation),
    channel: fmt.channelLabel(application.channel),
    name: subject.name,
    idNumber: subject.id_number_masked || '未填写',
    phone: subject.phone_masked || '未填写',
    address: subject.address || '',
    householdSize: subject.household_size || '',
    helpTypes: (application.help_types || []).map(fmt.helpTypeLabel).join('、'),
    description: application.description,
    createdAt: fmt.formatTime(application.created_at),
    canWithdraw: WITHDRAWABLE.includes(application.status),
    canAttach: OPEN.includes(application.status),
  };
}

/** '2026-10-15' as '2026年10月15日'. */
function chineseDate(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(day || ''));
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : '';
}

function procedureView(procedure) {
  return {
    categoryLabel: procedure.category_label,
    statusText: procedure.status_text,
    steps: (procedure.steps || []).map((step, index) => {
      const done = step.status === 'done';
      let when = '';
      if (done && step.done_on) when = `${chineseDate(step.done_on)}完成`;
      else if (!done && step.due_on) when = `期限：${chineseDate(step.due_on)}`;
      return { key: `${index}-${step.label}`, label: step.label, done, stateText: done ? '已完成' : '办理中', text: step.text, when };
    }),
    documents: (procedure.documents || []).map((d) => ({ id: d.id, title: d.title, date: fmt.formatDate(d.created_at) })),
  };
}

Page({
  data: {
    state: 'loading', // loading | ready | error
    error: '',
    application: null,
    timeline: [],
    photos: [], // [{id, isPdf, path (once downloaded)}]
    photosState: 'loading',
    uploading: false,
    maxPhotos: applications.MAX_ATTACHMENTS,
    subscribed: false,
    canSubscribe: false,
    procedure: null,
    procedureState: 'loading', // loading | none | ready | error
    opening: false,
    withdrawing: false, // the TDesign dialog asking first
    withdrawReason: '',
    withdrawBusy: false,
  },

  onLoad(query) {
    this.id = query.id;
    this.templateIds = [];
    subscribe.loadTemplateIds(me).then((ids) => {
      this.templateIds = ids;
      this.setData({ canSubscribe: ids.length > 0 });
    });
    this.load();
  },

  onPullDownRefresh() {
    this.load().then(() => wx.stopPullDownRefresh());
  },

  async load() {
    if (!this.data.application) this.setData({ state: 'loading' });
    try {
      const application = await applications.get(this.id);
      this.setData({ state: 'ready', application: view(application), timeline: fmt.timelineView(application.timeline) });
    } catch (e) {
      if (!this.data.application) this.setData({ state: 'error', error: e.message || '加载失败' });
      return;
    }
    await Promise.all([this.loadPhotos(), this.loadProcedure()]);
  },

  async loadProcedure() {
    try {
      const procedure = await applications.procedure(this.id);
      if (!procedure) this.setData({ procedure: null, procedureState: 'none' });
      else this.setData({ procedure: procedureView(procedure), procedureState: 'ready' });
    } catch (e) {
      this.setData({ procedureState: 'error' });
    }
  },

  async openDocument(e) {
    const documentId = e.currentTarget.dataset.id;
    if (this.data.opening) return;
    this.setData({ opening: true });
    wx.showLoading({ title: '正在下载…' });
    try {
      const path = await applications.downloadDocument(this.id, documentId);
      wx.openDocument({
        filePath: path,
        fileType: 'pdf',
        showMenu: true,
        fail: () => wx.showToast({ title: '无法打开文件，请稍后重试', icon: 'none' }),
      });
    } catch (err) {
      wx.showToast({ title: err.message || '下载失败', icon: 'none' });
    } finally {
      wx.hideLoading();
      this.setData({ opening: false });
    }
  },

  retry() {
    this.load();
  },

  async loadPhotos() {
    this.setData({ photosState: 'loading' });
    try {
      const list = await applications.attachments(this.id);
      const photos = list.map((a) => ({ id: a.id, isPdf: a.content_type === 'application/pdf', path: '' }));
      this.setData({ photos, photosState: 'ready' });
      // Thumbnails: each downloaded with the resident's token (the image tag cannot send it).
      for (let i = 0; i < photos.length; i += 1) {
        if (photos[i].isPdf) continue;
        try {
          const path = await applications.downloadAttachment(this.id, photos[i].id);
          this.setData({ [`photos[${i}].path`]: path });
        } catch (e) {
          // That one stays a placeholder; tapping it tries again.
        }
      }
    } catch (e) {
      this.setData({ photosState: 'error' });
    }
  },

  async openPhoto(e) {
    const index = Number(e.currentTarget.dataset.index);
    const photo = this.data.photos[index];
    try {
      const path = photo.path || (await applications.downloadAttachment(this.id, photo.id));
      if (photo.isPdf) wx.openDocument({ filePath: path, fileType: 'pdf' });
      else wx.previewImage({ urls: this.data.photos.filter((p) => p.path).map((p) => p.path).concat(photo.path ? [] : [path]), current: path });
    } catch (err) {
      wx.showToast({ title: err.message || '打开失败', icon: 'none' });
    }
  },

  copyReference() {
    wx.setClipboardData({ data: this.data.application.reference });
  },

  subscribeUpdates() {
    subscribe.ask(this.templateIds, me).then((accepted) => {
      this.setData({ subscribed: accepted.length > 0 });
      wx.showToast({ title: accepted.length ? '办理进度将通过微信通知您' : '未开启通知', icon: 'none' });
    });
  },

  /** 撤回求助: a TDesign dialog asks first (with an optional reason); only its confirm calls the API. */
  withdraw() {
    this.setData({ withdrawing: true, withdrawReason: '' });
  },

  onWithdrawReason(e) {
    this.setData({ withdrawReason: e.detail.value });
  },

  cancelWithdraw() {
    this.setData({ withdrawing: false });
  },

  async confirmWithdraw() {
    if (this.data.withdrawBusy) return;
    this.setData({ withdrawBusy: true });
    try {
      const application = await applications.withdraw(this.id, this.data.withdrawReason.trim().slice(0, 500));
      this.setData({ withdrawing: false, application: view(application), timeline: fmt.timelineView(application.timeline) });
      wx.showToast({ title: '已撤回', icon: 'success' });
    } catch (e) {
      // Shown by the request layer (409 once a decision is under way); the dialog closes on the
      // fresh state.
      this.setData({ withdrawing: false });
      this.load();
    } finally {
      this.setData({ withdrawBusy: false });
    }
  },

  addPhotos() {
    // Only as many as the nine allowed still leave room for (no blind uploads into a 409).
    const room = applications.MAX_ATTACHMENTS - this.data.photos.length;
    if (room <= 0) {
      wx.showToast({ title: `最多 ${applications.MAX_ATTACHMENTS} 张，已满`, icon: 'none' });
      return;
    }
    wx.chooseMedia({
      count: room,
      mediaType: ['image'],
      sizeType: ['compressed'],
      sourceType: ['album', 'camera'],
      success: async (res) => {
        const files = res.tempFiles.filter((f) => f.size <= applications.MAX_ATTACHMENT_BYTES);
        if (files.length < res.tempFiles.length) wx.showToast({ title: '超过 10 MB 的照片未上传', icon: 'none' });
        this.setData({ uploading: true });
        let done = 0;
        for (const file of files.slice(0, room)) {
          try {
            await applications.uploadAttachment(this.id, file.tempFilePath, newIdempotencyKey());
            done += 1;
          } catch (e) {
            break; // the request layer showed why (too large, wrong type)
          }
        }
        this.setData({ uploading: false });
        if (done) wx.showToast({ title: `已上传 ${done} 张`, icon: 'success' });
        this.loadPhotos();
      },
      fail: (err) => {
        if (err && /cancel/.test(err.errMsg || '')) return;
        wx.showToast({ title: '无法选择照片，请检查相册和相机权限', icon: 'none', duration: 3000 });
      },
    });
  },
});
