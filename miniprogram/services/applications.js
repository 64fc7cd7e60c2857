// One-click help (一键求助) for residents and reporters: submit, follow, withdraw, attach photos.

const api = require('../api/request');
const { ensureResident } = require('./auth');

/**
 * POST /applications. `idempotencyKey` belongs to the form being submitted: the page makes one
 * per filled-in form and passes the same key again when the resident retries after an error,
 * so a retry never files a second application.
 */
async function submit(body, idempotencyKey, options = {}) {
  await ensureResident();
  return api.request({
    method: 'POST',
    path: '/applications',
    data: body,
    idempotencyKey: idempotencyKey || api.newIdempotencyKey(),
    silent: options.silent,
  });
}

/** GET /applications/mine: {items, next_cursor}, newest first. */
async function mine({ cursor, limit } = {}) {
  await ensureResident();
  return api.request({ path: '/applications/mine', query: { cursor, limit } });
}

/** GET /applications/{id}: one of the caller's applications with its timeline. */
async function get(id) {
  await ensureResident();
  return api.request({ path: `/applications/${encodeURIComponent(id)}` });
}

/** POST /applications/{id}/withdraw (before a decision is under way). */
async function withdraw(id, note) {
  await ensureResident();
  return api.request({
    method: 'POST',
    path: `/applications/${encodeURIComponent(id)}/withdraw`,
    data: { note: note || '' },
  });
}

/** POST /applications/{id}/attachments: a photo (JPEG, PNG) or PDF, at most 10 MB. */
async function uploadAttachment(id, filePath, idempotencyKey, options = {}) {
  await ensureResident();
  return api.upload({
    path: `/applications/${encodeURIComponent(id)}/attachments`,
    filePath,
    name: 'file',
    idempotencyKey: idempotencyKey || api.newIdempotencyKey(),
    silent: options.silent,
  });
}

/** GET /applications/{id}/attachments: the photos and files the resident sent, oldest first. */
async function attachments(id) {
  await ensureResident();
  return api.request({ path: `/applications/${encodeURIComponent(id)}/attachments`, silent: true });
}

/** One of the resident's own attachments, downloaded: a local temp file path. */
async function downloadAttachment(id, attachmentId) {
  await ensureResident();
  return api.download({
    path: `/applications/${encodeURIComponent(id)}/attachments/${encodeURIComponent(attachmentId)}`,
    as: 'resident',
    silent: true,
  });
}

/**
 * GET /applications/{id}/procedure: the statutory procedure (法定程序) the case follows, in plain
 * Chinese ({category_label, status_text, steps, documents}), or null when it follows none (404).
 */
async function procedure(id) {
  await ensureResident();
  try {
    return await api.request({ path: `/applications/${encodeURIComponent(id)}/procedure`, silent: true });
  } catch (e) {
    if (e && e.statusCode === 404) return null;
    throw e;
  }
}

/** One of the documents given to the applicant (决定书, 告知书), downloaded: a local temp file path. */
async function downloadDocument(id, documentId) {
  await ensureResident();
  return api.download({
    path: `/applications/${encodeURIComponent(id)}/documents/${encodeURIComponent(documentId)}`,
    as: 'resident',
    silent: true,
  });
}

const MAX_ATTACHMENTS = 9;
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

module.exports = {
  submit,
  mine,
  get,
  withdraw,
  uploadAttachment,
  attachments,
  downloadAttachment,
  procedure,
  downloadDocument,
  MAX_ATTACHMENTS,
  MAX_ATTACHMENT_BYTES,
};
