// App-wide session plumbing for app.js: what happens when a staff session ends, and sending
// the visits kept offline. Pages reach the API only through services/.

const api = require('../api/request');
const staff = require('./staff');
const visitQueue = require('../utils/visit-queue');

/** Call `handler` when a staff session cannot be renewed; residents re-login silently. */
function onStaffSessionExpired(handler) {
  api.setSessionExpiredHandler((role) => {
    if (role && role !== 'resident') handler(role);
  });
}

/** The sender the offline visit queue uses: the real endpoints. */
const visitSender = {
  createVisit: (householdId, body, key) => staff.recordVisit(householdId, body, key),
  uploadPhoto: (visitId, path, key) => staff.uploadVisitPhoto(visitId, path, key),
};

/** Send the visits waiting on this device (only with a staff session). */
function flushVisits() {
  if (!api.getSession('staff') || !visitQueue.list().length) {
    return Promise.resolve({ sent: 0, rejected: 0, waiting: visitQueue.list().length });
  }
  return visitQueue.flush(visitSender);
}

module.exports = { onStaffSessionExpired, flushVisits, visitSender };
