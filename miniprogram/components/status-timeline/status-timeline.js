// The status history of an application, newest first. `items` come from
// utils/format.js timelineView(): [{key, status, label, time, note}].

Component({
  options: { addGlobalClass: true },
  properties: {
    items: { type: Array, value: [] },
  },
});
