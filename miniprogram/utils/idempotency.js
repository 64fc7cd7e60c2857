// Idempotency-Key values for POSTs that create something (the API replays the first result of
// a key for 24 hours, so a retried submit never files twice).

/** A random UUID v4: one per user action, reused when that action is retried. */
function newIdempotencyKey() {
  const bytes = [];
  for (let i = 0; i < 16; i += 1) bytes.push(Math.floor(Math.random() * 256));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Keys for one user action that may be retried: the same body gets the same key (a retry after
 * a network error creates nothing twice), a changed body gets a new one (no 422 mismatch).
 */
function createKeyKeeper() {
  let lastBody = null;
  let lastKey = null;
  return {
    keyFor(body) {
      const text = JSON.stringify(body);
      if (text !== lastBody) {
        lastBody = text;
        lastKey = newIdempotencyKey();
      }
      return lastKey;
    },
  };
}

module.exports = { newIdempotencyKey, createKeyKeeper };
