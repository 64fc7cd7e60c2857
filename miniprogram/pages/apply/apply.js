// The help form: whom it is for, the subject's details, region, help types, description,
// consent and photos. Rules live in utils/validate.js; the API in services/. The form is kept
// as a draft on the device until the server has it (WeChat may kill the page meanwhile).

const config = require('../../config');
const applications = require('../../services/applications');
const me = require('../../services/me');
const regions = require('../../services/regions');
const drafts = require('../../utils/drafts');
const subscribe = require('../../utils/subscribe');
const { newIdempotencyKey } = require('../../utils/idempotency');
const { RegionCascade } = require('../../utils/region-picker');
const { HELP_TYPE_LABELS, RELATION_LABELS } = require('../../utils/format');
const { emptyForm, validateApplication, applicationBody, serverFieldErrors } = require('../../utils/validate');

// Agencies report through their API key, not the mini program.
const RELATION_OPTIONS = ['self', 'family', 'neighbor', 'grid_worker', 'volunteer', 'other'].map((value) => ({
  value,
  label: RELATION_LABELS[value],
}));

const HELP_TYPE_OPTIONS = Object.keys(HELP_TYPE_LABELS).map((value) => ({ value, label: HELP_TYPE_LABELS[value] }));

/** The codes the indexes point at, column by column (t-picker's value). */
function codesAt(range, indexes) {
  return range.map((column, c) => (column[indexes[c]] ? column[indexes[c]].code : ''));
}

/** What the page binds for a cascade view: its columns, indexes and t-picker's value. */
function regionData(view) {
  return { regionRange: view.range, regionValue: view.value, regionCodes: codesAt(view.range, view.value) };
}

function draftName(relation) {
  return relation === 'self' ? 'apply.self' : 'apply.other';
}

Page({
  data: {
    relationOptions: RELATION_OPTIONS,
    relationLabel: RELATION_LABELS.self,
    form: emptyForm('self'),
    errors: {},
    helpTypeOptions: HELP_TYPE_OPTIONS,
    regionRange: [[]],
    regionValue: [0],
    regionCodes: [], // t-picker's value: the code in each column
    regionKeys: { value: 'code', label: 'name' },
    regionPickerVisible: false,
    regionState: 'loading', // loading | ready | error
    photos: [],
    maxPhotos: applications.MAX_ATTACHMENTS,
    showPrivacy: false,
    noticeVersion: '',
    submitting: false,
    restored: false,
    phoneMasked: '',
  },

  onLoad(query) {
    const relation = RELATION_OPTIONS.some((o) => o.value === query.relation) ? query.relation : 'self';
    this.draftName = draftName(relation);
    this.cascade = new RegionCascade(regions.children);
    const draft = drafts.load(this.draftName);
    // The key travels with the draft: submitting again after a lost answer files nothing twice.
    this.idempotencyKey = (draft && draft.idempotencyKey) || newIdempotencyKey();
    this.submittedBody = draft && draft.body ? JSON.stringify(draft.body) : null;
    const form = draft ? { ...emptyForm(relation), ...draft.form } : emptyForm(relation);
    this.setData({
      relationLabel: RELATION_LABELS[form.relation] || '',
      form,
      photos: draft && draft.photos ? draft.photos : [],
      restored: Boolean(draft),
    });
    wx.setNavigationBarTitle({ title: relation === 'self' ? '本人求助' : '代他人求助' });
    this.loadRegions();
    this.loadNotice();
    this.templateIds = [];
    subscribe.loadTemplateIds(me).then((ids) => {
      this.templateIds = ids;
    });
  },

  onHide() {
    this.saveDraft();
  },

  onUnload() {
    if (!this.done) this.saveDraft();
  },

  saveDraft() {
    drafts.save(this.draftName, this.data.form, {
      idempotencyKey: this.idempotencyKey,
      photos: this.data.photos,
      body: this.submittedBody ? JSON.parse(this.submittedBody) : null,
    });
  },

  discardDraft() {
    drafts.clear(this.draftName);
    this.idempotencyKey = newIdempotencyKey();
    this.submittedBody = null;
    this.setData({ form: emptyForm(this.data.form.relation), photos: [], errors: {}, restored: false, phoneMasked: '' });
  },

  async loadRegions() {
    this.setData({ regionState: 'loading' });
    try {
      // A saved community opens where it was; otherwise the picker opens on our district.
      const view = await this.cascade.init(this.data.form.regionCode || config.HOME_REGION_CODE);
      this.setData({ ...regionData(view), regionState: 'ready' });
    } catch (e) {
      this.setData({ regionState: 'error' });
    }
  },

  async loadNotice() {
    try {
      const notice = await me.privacyNotice();
      this.setData({ noticeVersion: notice.version, noticeText: notice.text });
    } catch (e) {
      // The built-in summary below stays; the server applies its current version.
    }
  },

  /** t-radio-group: detail.value is the relation chosen. */
  onRelationChange(e) {
    const relation = e.detail.value;
    if (!RELATION_LABELS[relation]) return;
    this.setData({ relationLabel: RELATION_LABELS[relation], 'form.relation': relation, 'errors.idNumber': '' });
    this.saveDraft();
  },

  onInput(e) {
    const field = e.currentTarget.dataset.field;
    this.setData({ [`form.${field}`]: e.detail.value, [`errors.${field}`]: '', 'errors._form': '' });
    this.saveDraft();
  },

  openRegionPicker() {
    this.setData({ regionPickerVisible: true });
  },

  closeRegionPicker() {
    this.setData({ regionPickerVisible: false });
  },

  /** t-picker `pick`: the user turned `column` to `index`; the columns to its right reload. */
  async onRegionColumnChange(e) {
    try {
      const view = await this.cascade.changeColumn(e.detail.column, e.detail.index);
      this.setData(regionData(view));
    } catch (err) {
      this.setData({ regionState: 'error', regionPickerVisible: false });
    }
  },

  /** t-picker `confirm`: detail.columns is [{column, index}], one for each column. */
  onRegionChange(e) {
    const indexes = (e.detail.columns || []).map((c) => c.index);
    const region = this.cascade.selected(indexes);
    this.setData({ regionPickerVisible: false });
    if (!region) {
      this.setData({ 'errors.regionCode': '请选择到社区或村' });
      return;
    }
    this.setData({
      regionValue: indexes,
      regionCodes: codesAt(this.data.regionRange, indexes),
      'form.regionCode': region.code,
      'form.regionName': region.fullName,
      'errors.regionCode': '',
    });
    this.saveDraft();
  },

  onHelpTypesChange(e) {
    this.setData({ 'form.helpTypes': e.detail.value, 'errors.helpTypes': '' });
    this.saveDraft();
  },

  onConsentChange(e) {
    const value = e.detail.value;
    const checked = Array.isArray(value) ? value.length > 0 : Boolean(e.detail.checked);
    this.setData({ 'form.consent': checked, 'errors.consent': '' });
    this.saveDraft();
  },

  togglePrivacy() {
    this.setData({ showPrivacy: !this.data.showPrivacy });
  },

  /** getPhoneNumber: the phone verified by WeChat; typing by hand stays possible. */
  async onGetPhoneNumber(e) {
    const code = e.detail && e.detail.code;
    if (!code) {
      wx.showToast({ title: '未授权手机号，可直接填写', icon: 'none' });
      return;
    }
    try {
      const phone = await me.verifiedPhone(code);
      const field = this.data.form.relation === 'self' ? 'phone' : 'reporterPhone';
      this.setData({ [`form.${field}`]: phone.phone, [`errors.${field}`]: '', phoneMasked: phone.masked });
      this.saveDraft();
    } catch (error) {
      wx.showToast({ title: error.message, icon: 'none' });
    }
  },

  choosePhotos() {
    const room = applications.MAX_ATTACHMENTS - this.data.photos.length;
    if (room <= 0) return;
    wx.chooseMedia({
      count: room,
      mediaType: ['image'],
      sizeType: ['compressed'],
      sourceType: ['album', 'camera'],
      success: (res) => {
        const files = res.tempFiles.filter((f) => f.size <= applications.MAX_ATTACHMENT_BYTES);
        if (files.length < res.tempFiles.length) {
          wx.showToast({ title: '超过 10 MB 的照片未添加', icon: 'none' });
        }
        const photos = this.data.photos.concat(
          files.map((f) => ({ path: f.tempFilePath, size: f.size, key: newIdempotencyKey() })),
        );
        this.setData({ photos });
        this.saveDraft();
      },
      fail: (err) => {
        if (err && /cancel/.test(err.errMsg || '')) return;
        wx.showToast({ title: '无法选择照片，请检查相册和相机权限', icon: 'none', duration: 3000 });
      },
    });
  },

  removePhoto(e) {
    const photos = this.data.photos.slice();
    photos.splice(Number(e.currentTarget.dataset.index), 1);
    this.setData({ photos });
    this.saveDraft();
  },

  previewPhoto(e) {
    const urls = this.data.photos.map((p) => p.path);
    wx.previewImage({ urls, current: urls[Number(e.currentTarget.dataset.index)] });
  },

  /** The key for this body: kept while the body is unchanged (a retry), new when it changed. */
  keyFor(body) {
    const text = JSON.stringify(body);
    if (this.submittedBody !== null && this.submittedBody !== text) this.idempotencyKey = newIdempotencyKey();
    this.submittedBody = text;
    return this.idempotencyKey;
  },

  async submit() {
    if (this.data.submitting) return;
    const { valid, errors } = validateApplication(this.data.form);
    if (!valid) {
      this.setData({ errors });
      wx.showToast({ title: errors[Object.keys(errors)[0]], icon: 'none' });
      return;
    }
    // From the tap itself: WeChat shows the subscription pop-up only in answer to a tap.
    const subscribed = subscribe.ask(this.templateIds, me);
    const body = applicationBody(this.data.form, this.data.noticeVersion);
    const key = this.keyFor(body);
    this.saveDraft();
    this.setData({ submitting: true });
    wx.showLoading({ title: '正在提交', mask: true });
    let created;
    try {
      created = await applications.submit(body, key, { silent: true });
    } catch (error) {
      wx.hideLoading();
      const fieldErrors = serverFieldErrors(error.errors);
      this.setData({ submitting: false, errors: fieldErrors });
      wx.showToast({ title: Object.keys(fieldErrors).length ? '请按提示修改后再提交' : error.message, icon: 'none', duration: 3000 });
      return;
    }
    const failed = await this.uploadPhotos(created.id);
    await subscribed;
    wx.hideLoading();
    this.done = true;
    drafts.clear(this.draftName);
    this.setData({ submitting: false });
    if (failed > 0) {
      wx.showToast({ title: `${failed} 张照片未上传，可在详情页补充`, icon: 'none', duration: 3000 });
    } else {
      wx.showToast({ title: '已提交', icon: 'success' });
    }
    wx.redirectTo({ url: `/pages/detail/detail?id=${created.id}` });
  },

  /** Upload the chosen photos one by one, each with its own key; returns how many failed. */
  async uploadPhotos(applicationId) {
    let failed = 0;
    for (const photo of this.data.photos) {
      try {
        await applications.uploadAttachment(applicationId, photo.path, photo.key || newIdempotencyKey(), { silent: true });
      } catch (e) {
        failed += 1;
      }
    }
    return failed;
  },
});
