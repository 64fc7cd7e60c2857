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

/** GET /staff/applications/{id}/assignees: whom the case may be assigned to. */
function assignees(id) {
  return api.request({ path: `/staff/applications/${encodeURIComponent(id)}/assignees`, silent: true });
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
    as: 'staff',
  });
}

/** POST /staff/applications/{id}/reveal {reason}: the ID number and phone in clear (audited). */
function reveal(id, reason) {
  return api.request({
    method: 'POST',
    path: `/staff/applications/${encodeURIComponent(id)}/reveal`,
    data: { reason: String(reason || '').trim() },
    silent: true,
  });
}

/** GET /me as staff: id, role, region_code, display_name. */
function me() {
  return api.request({ path: '/me', as: 'staff' });
}

// Cases still in someone's hands: what a worker's own list shows.
const OPEN_CASE_STATUSES = ['accepted', 'investigating'];

/**
 * The day's work of the signed-in staff member, from three lists: cases assigned to them
 * (GET /staff/applications?assignee_id=me), visits due (GET /staff/visits/due?assignee_id=me)
 * and warnings sent to them to verify (GET /staff/warnings?status=dispatched). Each part loads
 * on its own: {cases, visits, warnings} each {items} or {error} (a failed part never looks
 * empty). Roles without visits or warnings get an empty part.
 */
async function worklist(staffId, scopes = {}) {
  const part = (promise) => promise.then((body) => ({ items: body.items || [] }), (error) => ({ items: [], error }));
  const none = Promise.resolve({ items: [] });
  const [cases, visits, warnings] = await Promise.all([
    part(api.request({ path: '/staff/applications', query: { assignee_id: staffId, status: OPEN_CASE_STATUSES, limit: 50 }, silent: true })),
    scopes.visits === false ? none : part(api.request({ path: '/staff/visits/due', query: { assignee_id: staffId, limit: 50 }, silent: true })),
    scopes.warnings === false
      ? none
      : part(api.request({ path: '/staff/warnings', query: { status: 'dispatched', limit: 50 }, silent: true })).then((w) =>
          w.error ? w : { items: w.items.filter((item) => item.assignee_id === staffId) },
        ),
  ]);
  return { cases, visits, warnings };
}

/** POST /staff/households/{id}/visits with the visit's own Idempotency-Key. */
function recordVisit(householdId, body, idempotencyKey) {
  return api.request({
    method: 'POST',
    path: `/staff/households/${encodeURIComponent(householdId)}/visits`,
    data: body,
    idempotencyKey,
    silent: true,
  });
}

/** POST /staff/visits/{id}/photos: one photo of a recorded visit. */
function uploadVisitPhoto(visitId, filePath, idempotencyKey) {
  return api.upload({
    path: `/staff/visits/${encodeURIComponent(visitId)}/photos`,
    filePath,
    name: 'file',
    idempotencyKey,
    silent: true,
  });
}

/** GET /staff/warnings/{id}: a warning with its evidence and history. */
function getWarning(id) {
  return api.request({ path: `/staff/warnings/${encodeURIComponent(id)}`, silent: true });
}

/** POST /staff/warnings/{id}/verify {outcome: confirmed | false_alarm, findings} (the assignee). */
function verifyWarning(id, outcome, findings) {
  return api.request({
    method: 'POST',
    path: `/staff/warnings/${encodeURIComponent(id)}/verify`,
    data: { outcome, findings: String(findings || '').trim() },
    silent: true,
  });
}

/** GET /staff/households/{id}/visits: the visits recorded for a household. */
function visitsOf(householdId) {
  return api.request({ path: `/staff/households/${encodeURIComponent(householdId)}/visits` });
}

module.exports = {
  queue,
  getCase,
  transition,
  assign,
  addNote,
  downloadAttachment,
  reveal,
  assignees,
  me,
  worklist,
  recordVisit,
  uploadVisitPhoto,
  visitsOf,
  getWarning,
  verifyWarning,
  OPEN_CASE_STATUSES,
};
