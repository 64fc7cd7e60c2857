// Home visits recorded where there is no signal (入户走访常在信号差的地方): each visit is kept on
// the device with its own Idempotency-Key, made once when the visit is saved, and sent when the
// network is back. The key makes the server store the visit once however many times it is sent
// (a retry after a lost answer gets the first visit back); photos follow with keys of their own.
// The queue survives the mini program being closed: it lives in storage.

const { newIdempotencyKey } = require('./idempotency');

const QUEUE_KEY = 'jiuzhu.visitQueue';

function read() {
  try {
    const items = wx.getStorageSync(QUEUE_KEY);
    return Array.isArray(items) ? items : [];
  } catch (e) {
    return [];
  }
}

function write(items) {
  wx.setStorageSync(QUEUE_KEY, items);
}

/** Network down, server busy or overloaded: try again later. Anything else is the visit's fault. */
function isTransient(error) {
  const status = error && typeof error.statusCode === 'number' ? error.statusCode : 0;
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/**
 * Keep a visit to send: {householdId, body (POST /staff/households/{id}/visits), photos: [paths],
 * label (shown in the list)}. Returns the queued item with its key.
 */
function enqueue({ householdId, body, photos, label }) {
  const item = {
    key: newIdempotencyKey(),
    householdId,
    body,
    photos: (photos || []).map((path) => ({ path, key: newIdempotencyKey(), sent: false })),
    label: label || '',
    queuedAt: Date.now(),
    visitId: null,
    state: 'pending', // pending | rejected
    error: '',
  };
  write(read().concat([item]));
  return item;
}

/** The visits waiting on this device (pending and rejected), oldest first. */
function list() {
  return read();
}

/** Drop a visit (the worker gave up on a rejected one). */
function discard(key) {
  write(read().filter((item) => item.key !== key));
}

function update(key, change) {
  write(read().map((item) => (item.key === key ? { ...item, ...change } : item)));
}

let flushing = null;

/**
 * Send what is waiting, oldest first, through `sender` {createVisit(householdId, body, key) →
 * {id}, uploadPhoto(visitId, path, key)}. Stops at the first transient failure (the network is
 * still down); a visit the server refuses (4xx) is kept as rejected with its message. Resolves
 * {sent, rejected, waiting}. Concurrent calls share one run.
 */
function flush(sender) {
  if (!flushing) {
    flushing = run(sender).finally(() => {
      flushing = null;
    });
  }
  return flushing;
}

async function run(sender) {
  let sent = 0;
  for (const queued of read().filter((i) => i.state === 'pending')) {
    let item = queued;
    try {
      if (!item.visitId) {
        const visit = await sender.createVisit(item.householdId, item.body, item.key);
        update(item.key, { visitId: visit.id });
        item = { ...item, visitId: visit.id };
      }
      for (const photo of item.photos.filter((p) => !p.sent)) {
        await sender.uploadPhoto(item.visitId, photo.path, photo.key);
        const photos = read().find((i) => i.key === item.key).photos.map((p) => (p.key === photo.key ? { ...p, sent: true } : p));
        update(item.key, { photos });
      }
      discard(item.key);
      sent += 1;
    } catch (error) {
      if (isTransient(error)) break;
      update(item.key, { state: 'rejected', error: (error && error.message) || '提交被拒绝' });
    }
  }
  const left = read();
  return {
    sent,
    rejected: left.filter((i) => i.state === 'rejected').length,
    waiting: left.filter((i) => i.state === 'pending').length,
  };
}

module.exports = { QUEUE_KEY, enqueue, list, discard, flush, isTransient };
