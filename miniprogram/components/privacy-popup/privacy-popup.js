// Shown when WeChat needs the user's agreement to the privacy guide before a privacy API
// (photos, phone number, location) may run. See utils/privacy.js.

const privacy = require('../../utils/privacy');

Component({
  options: { addGlobalClass: true },
  data: { visible: false },
  pageLifetimes: {
    show() {
      this.subscribe();
    },
    hide() {
      this.unsubscribe();
    },
  },
  lifetimes: {
    attached() {
      this.subscribe();
    },
    detached() {
      this.unsubscribe();
    },
  },
  methods: {
    subscribe() {
      if (!this.stop) this.stop = privacy.listen(() => this.setData({ visible: true }));
    },
    unsubscribe() {
      if (this.stop) this.stop();
      this.stop = null;
    },
    openContract() {
      privacy.openContract();
    },
    onAgree(e) {
      this.setData({ visible: false });
      privacy.agree(e.currentTarget.id);
    },
    onDisagree() {
      this.setData({ visible: false });
      privacy.disagree();
    },
  },
});
