// Drafts of long forms kept on the device until they are submitted: WeChat may kill a page in
// the background (a phone call, the camera), and the resident finds the form as they left it.
// A draft keeps its Idempotency-Key too, so submitting again after a lost answer files nothing twice.

const PREFIX = 'jiuzhu.draft.';

function storageKey(name) {
  return PREFIX + name;
}

/** The saved draft {form, idempotencyKey, savedAt} for `name`, or null. */
function load(name) {
  try {
    const draft = wx.getStorageSync(storageKey(name));
    return draft && draft.form ? draft : null;
  } catch (e) {
    return null;
  }
}

/** Save the form as it is now (called on every change, cheap: one storage write). */
function save(name, form, extra = {}) {
  const draft = { ...extra, form, savedAt: Date.now() };
  wx.setStorageSync(storageKey(name), draft);
  return draft;
}

/** Forget the draft once the server has it. */
function clear(name) {
  wx.removeStorageSync(storageKey(name));
}

module.exports = { load, save, clear, storageKey };
