// The help form: whom it is for, the subject's details, region, help types, description,
// consent and photos. Rules live in utils/validate.js; the API in services/.

const applications = require('../../services/applications');
const regions = require('../../services/regions');
const { createKeyKeeper, newIdempotencyKey } = require('../../utils/idempotency');
const { RegionCascade } = require('../../utils/region-picker');
const { HELP_TYPE_LABELS, RELATION_LABELS } = require('../../utils/format');
const { emptyForm, validateApplication, applicationBody, serverFieldErrors } = require('../../utils/validate');

// Agencies report through their API key, not the mini program.
const RELATION_OPTIONS = ['self', 'family', 'neighbor', 'grid_worker', 'volunteer', 'other'].map((value) => ({
  value,
  label: RELATION_LABELS[value],
}));

function helpTypeOptions(selected) {
  return Object.keys(HELP_TYPE_LABELS).map((value) => ({
    value,
    label: HELP_TYPE_LABELS[value],
    checked: selected.includes(value),
  }));
}

Page({
  data: {
    relationOptions: RELATION_OPTIONS,
    relationIndex: 0,
    form: emptyForm('self'),
    errors: {},
    helpTypes: helpTypeOptions([]),
    regionRange: [[], [], []],
    regionValue: [0, 0, 0],
    regionReady: false,
    photos: [],
    maxPhotos: applications.MAX_ATTACHMENTS,
    showPrivacy: false,
    submitting: false,
  },

  onLoad(query) {
    const relation = RELATION_OPTIONS.some((o) => o.value === query.relation) ? query.relation : 'self';
    this.keys = createKeyKeeper();
    this.photoKeys = {};
    this.cascade = new RegionCascade(regions.children);
    this.setData({
      relationIndex: RELATION_OPTIONS.findIndex((o) => o.value === relation),
      form: emptyForm(relation),
    });
    wx.setNavigationBarTitle({ title: relation === 'self' ? '本人求助' : '代他人求助' });
    this.loadRegions();
  },

  async loadRegions() {
    try {
      const view = await this.cascade.init();
      this.setData({ regionRange: view.range, regionValue: view.value, regionReady: true });
    } catch (e) {
      // The request layer showed the error; the picker stays empty until the next try.
    }
  },

  onRelationChange(e) {
    const index = Number(e.detail.value);
    this.setData({ relationIndex: index, 'form.relation': RELATION_OPTIONS[index].value, 'errors.idNumber': '' });
  },

  onInput(e) {
    const field = e.currentTarget.dataset.field;
    this.setData({ [`form.${field}`]: e.detail.value, [`errors.${field}`]: '' });
  },

  async onRegionColumnChange(e) {
    try {
      const view = await this.cascade.changeColumn(e.detail.column, e.detail.value);
      this.setData({ regionRange: view.range, regionValue: view.value });
    } catch (err) {
      // shown by the request layer
    }
  },

  onRegionChange(e) {
    const region = this.cascade.selected(e.detail.value);
    if (!region) {
      this.setData({ 'errors.regionCode': '请选择到社区或村' });
      return;
    }
    this.setData({
      regionValue: e.detail.value,
      'form.regionCode': region.code,
      'form.regionName': region.fullName,
      'errors.regionCode': '',
    });
  },

  onHelpTypesChange(e) {
    const selected = e.detail.value;
    this.setData({ 'form.helpTypes': selected, helpTypes: helpTypeOptions(selected), 'errors.helpTypes': '' });
  },

  onConsentChange(e) {
    this.setData({ 'form.consent': e.detail.value.length > 0, 'errors.consent': '' });
  },

  togglePrivacy() {
    this.setData({ showPrivacy: !this.data.showPrivacy });
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
        const photos = this.data.photos.concat(files.map((f) => ({ path: f.tempFilePath, size: f.size })));
        this.setData({ photos });
      },
    });
  },

  removePhoto(e) {
    const photos = this.data.photos.slice();
    photos.splice(Number(e.currentTarget.dataset.index), 1);
    this.setData({ photos });
  },

  previewPhoto(e) {
    const urls = this.data.photos.map((p) => p.path);
    wx.previewImage({ urls, current: urls[Number(e.currentTarget.dataset.index)] });
  },

  async submit() {
    if (this.data.submitting) return;
    const { valid, errors } = validateApplication(this.data.form);
    if (!valid) {
      this.setData({ errors });
      wx.showToast({ title: errors[Object.keys(errors)[0]], icon: 'none' });
      return;
    }
    const body = applicationBody(this.data.form);
    this.setData({ submitting: true });
    wx.showLoading({ title: '正在提交', mask: true });
    let created;
    try {
      created = await applications.submit(body, this.keys.keyFor(body), { silent: true });
    } catch (error) {
      wx.hideLoading();
      this.setData({ submitting: false, errors: serverFieldErrors(error.errors) });
      wx.showToast({ title: error.message, icon: 'none', duration: 3000 });
      return;
    }
    const failed = await this.uploadPhotos(created.id);
    wx.hideLoading();
    this.setData({ submitting: false });
    if (failed > 0) {
      wx.showToast({ title: `${failed} 张照片未上传，可在详情页补充`, icon: 'none', duration: 3000 });
    } else {
      wx.showToast({ title: '已提交', icon: 'success' });
    }
    wx.redirectTo({ url: `/pages/detail/detail?id=${created.id}` });
  },

  /** Upload the chosen photos one by one; returns how many failed. */
  async uploadPhotos(applicationId) {
    let failed = 0;
    for (const photo of this.data.photos) {
      if (!this.photoKeys[photo.path]) this.photoKeys[photo.path] = newIdempotencyKey();
      try {
        await applications.uploadAttachment(applicationId, photo.path, this.photoKeys[photo.path], { silent: true });
      } catch (e) {
        failed += 1;
      }
    }
    return failed;
  },
});
