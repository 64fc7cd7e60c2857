// The staff side (工作人员): the triage queue, a case, and its life-cycle transitions.

const api = require('../api/request');

/**
 * GET /staff/applications. filters: status (one or a list), help_type, region_code,
 * assignee_id, overdue (true), q (reference, name or a full ID number); cursor, limit.
 */
function queue(filters = {}, { cursor, limit } = {}) {
  const query = { ...filters, cursor, limit };
  if (query.overdue !== true) delete query.overdue;
  return api.request({ path: '/staff/applications', query });
}

/** GET /staff/applications/{id}: the whole case with internal notes and attachments. */
function getCase(id) {
  return api.request({ path: `/staff/applications/${encodeURIComponent(id)}` });
}

/** POST /staff/applications/{id}/transitions with {action, note, public_note, decision?}. */
function transition(id, body) {
  return api.request({
    method: 'POST',
    path: `/staff/applications/${encodeURIComponent(id)}/transitions`,
    data: body,
  });
}

/** POST /staff/applications/{id}/assign. */
function assign(id, assigneeId, note) {
  return api.request({
    method: 'POST',
    path: `/staff/applications/${encodeURIComponent(id)}/assign`,
    data: { assignee_id: assigneeId, note: note || '' },
  });
}

/** POST /staff/applications/{id}/notes: an internal note. */
function addNote(id, note) {
  return api.request({
    method: 'POST',
    path: `/staff/applications/${encodeURIComponent(id)}/notes`,
    data: { note },
  });
}

/** An attachment of a case, downloaded for wx.previewImage / wx.openDocument: a temp file path. */
function downloadAttachment(applicationId, attachmentId) {
  return api.download({
    path: `/applications/${encodeURIComponent(applicationId)}/attachments/${encodeURIComponent(attachmentId)}`,
  });
}

module.exports = { queue, getCase, transition, assign, addNote, downloadAttachment };
