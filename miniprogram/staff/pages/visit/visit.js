// Record a home visit (入户走访): the checklist, who was met, needs, notes, the risk level after,
// photos and, if the worker allows it, the location. Saved on the phone first (the offline
// queue, utils/visit-queue.js) with its own Idempotency-Key, then sent at once or when the
// network is back: the same visit is never stored twice.

const session = require('../../../services/session');
const visitQueue = require('../../../utils/visit-queue');
const drafts = require('../../../utils/drafts');
const { CHECKLIST_ITEMS, CHECK_VALUES, RISK_LEVELS, emptyVisit, validateVisit, visitBody } = require('../../../utils/visit-form');

const MAX_PHOTOS = 9;

/** A saved copy of a temp file (survives a restart), or the temp path if saving fails. */
function keepFile(tempPath) {
  try {
    return wx.getFileSystemManager().saveFileSync(tempPath);
  } catch (e) {
    return tempPath;
  }
}

Page({
  data: {
    reference: '',
    items: CHECKLIST_ITEMS,
    values: CHECK_VALUES,
    riskLevels: RISK_LEVELS,
    form: emptyVisit(),
    photos: [],
    errors: {},
    locating: false,
    saving: false,
  },

  onLoad(query) {
    this.householdId = Number(query.household);
    this.draftName = `visit.${this.householdId}`;
    const draft = drafts.load(this.draftName);
    this.setData({
      reference: decodeURIComponent(query.reference || ''),
      form: draft ? { ...emptyVisit(), ...draft.form } : emptyVisit(),
      photos: (draft && draft.photos) || [],
    });
  },

  onHide() {
    this.saveDraft();
  },

  saveDraft() {
    if (!this.saved) drafts.save(this.draftName, this.data.form, { photos: this.data.photos });
  },

  onCheck(e) {
    const { key, value } = e.currentTarget.dataset;
    this.setData({ [`form.checklist.${key}`]: value, 'errors.needs': '' });
    this.saveDraft();
  },

  onRisk(e) {
    this.setData({ 'form.riskLevelAfter': e.currentTarget.dataset.value, 'errors.riskLevelAfter': '' });
    this.saveDraft();
  },

  onInput(e) {
    const field = e.currentTarget.dataset.field;
    this.setData({ [`form.${field}`]: e.detail.value, [`errors.${field}`]: '' });
    this.saveDraft();
  },

  locate() {
    this.setData({ locating: true });
    wx.getLocation({
      type: 'gcj02',
      success: (res) => {
        this.setData({ 'form.location': { latitude: res.latitude, longitude: res.longitude } });
        this.saveDraft();
      },
      fail: () => wx.showToast({ title: '未取得位置，可不填', icon: 'none' }),
      complete: () => this.setData({ locating: false }),
    });
  },

  clearLocation() {
    this.setData({ 'form.location': null });
    this.saveDraft();
  },

  choosePhotos() {
    const room = MAX_PHOTOS - this.data.photos.length;
    if (room <= 0) return;
    wx.chooseMedia({
      count: room,
      mediaType: ['image'],
      sizeType: ['compressed'],
      sourceType: ['camera', 'album'],
      success: (res) => {
        // Temp files vanish when the mini program closes: keep a saved copy for the queue.
        const paths = res.tempFiles.map((f) => keepFile(f.tempFilePath));
        this.setData({ photos: this.data.photos.concat(paths) });
        this.saveDraft();
      },
      fail: (err) => {
        if (err && /cancel/.test(err.errMsg || '')) return;
        wx.showToast({ title: '无法拍照或选择照片，请检查权限', icon: 'none' });
      },
    });
  },

  removePhoto(e) {
    const photos = this.data.photos.slice();
    photos.splice(Number(e.currentTarget.dataset.index), 1);
    this.setData({ photos });
    this.saveDraft();
  },

  async save() {
    if (this.data.saving) return;
    const { valid, errors } = validateVisit(this.data.form);
    if (!valid) {
      this.setData({ errors });
      wx.showToast({ title: errors[Object.keys(errors)[0]], icon: 'none' });
      return;
    }
    this.setData({ saving: true });
    visitQueue.enqueue({
      householdId: this.householdId,
      body: visitBody(this.data.form, Date.now()),
      photos: this.data.photos,
      label: `${this.data.reference || `家庭 #${this.householdId}`} 的走访`,
    });
    this.saved = true;
    drafts.clear(this.draftName);
    let result = { sent: 0, waiting: 1, rejected: 0 };
    try {
      result = await session.flushVisits();
    } catch (e) {
      // Kept in the queue.
    }
    this.setData({ saving: false });
    if (result.sent) wx.showToast({ title: '走访记录已提交', icon: 'success' });
    else if (result.rejected) wx.showToast({ title: '走访记录被拒绝，请在工作台查看原因', icon: 'none', duration: 3000 });
    else wx.showToast({ title: '已保存在手机上，有网络时自动发送', icon: 'none', duration: 3000 });
    wx.navigateBack({ fail: () => wx.reLaunch({ url: '/staff/pages/worklist/worklist' }) });
  },
});
