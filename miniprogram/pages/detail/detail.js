// One application as its submitter sees it: reference, status timeline, details; withdraw it
// before a decision, or add photos while it is open.

const applications = require('../../services/applications');
const fmt = require('../../utils/format');
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

Page({
  data: { application: null, timeline: [], uploading: false },

  onLoad(query) {
    this.id = query.id;
    this.load();
  },

  onPullDownRefresh() {
    this.load().then(() => wx.stopPullDownRefresh());
  },

  async load() {
    try {
      const application = await applications.get(this.id);
      this.setData({ application: view(application), timeline: fmt.timelineView(application.timeline) });
    } catch (e) {
      // The request layer showed the error (404 for a record that is not the caller's).
    }
  },

  copyReference() {
    wx.setClipboardData({ data: this.data.application.reference });
  },

  withdraw() {
    wx.showModal({
      title: '撤回求助',
      content: '撤回后工作人员将不再处理这条求助，确定撤回吗？',
      editable: true,
      placeholderText: '撤回原因（可不填）',
      confirmText: '撤回',
      confirmColor: '#c0392b',
      success: async (res) => {
        if (!res.confirm) return;
        try {
          const application = await applications.withdraw(this.id, (res.content || '').slice(0, 500));
          this.setData({ application: view(application), timeline: fmt.timelineView(application.timeline) });
          wx.showToast({ title: '已撤回', icon: 'success' });
        } catch (e) {
          // shown by the request layer (409 once a decision is under way)
        }
      },
    });
  },

  addPhotos() {
    wx.chooseMedia({
      count: applications.MAX_ATTACHMENTS,
      mediaType: ['image'],
      sizeType: ['compressed'],
      sourceType: ['album', 'camera'],
      success: async (res) => {
        const files = res.tempFiles.filter((f) => f.size <= applications.MAX_ATTACHMENT_BYTES);
        this.setData({ uploading: true });
        let done = 0;
        for (const file of files) {
          try {
            await applications.uploadAttachment(this.id, file.tempFilePath, newIdempotencyKey());
            done += 1;
          } catch (e) {
            break; // the request layer showed why (too many, too large, wrong type)
          }
        }
        this.setData({ uploading: false });
        if (done) wx.showToast({ title: `已上传 ${done} 张`, icon: 'success' });
      },
    });
  },
});
