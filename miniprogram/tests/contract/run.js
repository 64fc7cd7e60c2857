// The mini program's own services/ against a real backend: a `wx` shim that forwards
// wx.request and wx.uploadFile over HTTP (node's fetch), keeps storage in memory across
// "cold starts", and answers wx.login with the same code every time (one WeChat user: in fake
// mode code X is openid fake-X). Run by tests/e2e/test_miniprogram_contract.py:
//
//   API_BASE=http://127.0.0.1:PORT/api/v1 INPUT='{"...": ...}' node tests/contract/run.js
//
// Prints one JSON object with what each step saw; the pytest asserts it and the database.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const input = JSON.parse(process.env.INPUT || '{}');
const storage = new Map();
const WECHAT_CODE = input.wechat_code || 'contract-user';

function answer(options, promise) {
  promise.then(
    (res) => options.success && options.success(res),
    (err) => options.fail && options.fail({ errMsg: `request:fail ${err.message} ${err.cause ? err.cause.message || err.cause.code : ""}` }),
  );
}

global.wx = {
  getStorageSync: (key) => (storage.has(key) ? JSON.parse(storage.get(key)) : ''),
  setStorageSync: (key, value) => storage.set(key, JSON.stringify(value)),
  removeStorageSync: (key) => storage.delete(key),
  showToast: () => {},
  login: (options) => setImmediate(() => options.success({ code: WECHAT_CODE, errMsg: 'login:ok' })),
  request(options) {
    const method = options.method || 'GET';
    const init = { method, headers: { ...(options.header || {}) } };
    if (options.data !== undefined && method !== 'GET') init.body = JSON.stringify(options.data);
    answer(
      options,
      fetch(options.url, init).then(async (response) => {
        const text = await response.text();
        let data = text;
        try {
          data = text ? JSON.parse(text) : '';
        } catch (e) {
          // not JSON: leave the text
        }
        return { statusCode: response.status, data, header: {} };
      }),
    );
  },
  uploadFile(options) {
    const form = new FormData();
    const bytes = fs.readFileSync(options.filePath);
    const type = options.filePath.endsWith('.png') ? 'image/png' : 'image/jpeg';
    form.append(options.name, new Blob([bytes], { type }), path.basename(options.filePath));
    answer(
      options,
      fetch(options.url, { method: 'POST', headers: { ...(options.header || {}) }, body: form }).then(async (response) => ({
        statusCode: response.status,
        data: await response.text(),
      })),
    );
  },
};

/** Point the mini program's config at the test server (again after each cold start). */
function pointAtServer() {
  require('../../config').API_BASES.develop = process.env.API_BASE;
}
pointAtServer();

const api = require('../../api/request');
const auth = require('../../services/auth');
const applications = require('../../services/applications');
const me = require('../../services/me');
const staff = require('../../services/staff');
const session = require('../../services/session');
const visitQueue = require('../../utils/visit-queue');
const { transitionBody } = require('../../utils/transitions');
const { applicationBody, emptyForm, validateApplication, serverFieldErrors } = require('../../utils/validate');
const { visitBody, emptyVisit } = require('../../utils/visit-form');

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]);

/** A cold start: storage stays, the modules' memory goes. */
function coldStart() {
  Object.keys(require.cache).forEach((key) => {
    if (!key.includes('node_modules') && !key.endsWith('run.js')) delete require.cache[key];
  });
  pointAtServer();
}

async function main() {
  const out = {};
  const photo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-contract-')), 'photo.png');
  fs.writeFileSync(photo, PNG);

  // ---- resident: submit for themself ----
  const form = {
    ...emptyForm('self'),
    name: '张三',
    idNumber: input.id_number,
    phone: '13800001234',
    regionCode: input.community,
    address: '光华大道1号',
    householdSize: '3',
    helpTypes: ['basic_living'],
    description: '生活困难',
    consent: true,
  };
  if (!validateApplication(form).valid) throw new Error('the form should be valid');
  const notice = await me.privacyNotice();
  const own = await applications.submit(applicationBody(form, notice.version), 'contract-self-1');
  const again = await applications.submit(applicationBody(form, notice.version), 'contract-self-1');
  out.submit = { id: own.id, reference: own.reference, status: own.status, replayed_id: again.id, notice_version: notice.version };
  out.upload = await applications.uploadAttachment(own.id, photo, 'contract-photo-1');
  out.own_photos = await applications.attachments(own.id);

  // ---- resident: report someone else, without an ID number ----
  const report = {
    ...emptyForm('neighbor'),
    name: '王婆婆',
    regionCode: input.community,
    helpTypes: ['care'],
    description: '独居老人，多日未见出门',
    reporterPhone: '13900002222',
    reporterName: '李四',
    consent: true,
  };
  const reported = await applications.submit(applicationBody(report, notice.version), 'contract-report-1');
  out.report = { id: reported.id, status: reported.status, relation: reported.relation };

  // A form the server refuses: its errors come back mapped to fields, in Chinese.
  try {
    await applications.submit({ ...applicationBody(form), subject: { ...applicationBody(form).subject, phone: '12' } }, 'contract-bad-1', { silent: true });
    out.bad = 'accepted?';
  } catch (error) {
    out.bad = { status: error.statusCode, fields: serverFieldErrors(error.errors) };
  }

  // ---- list, detail, withdraw ----
  const mine = await applications.mine();
  out.mine = mine.items.map((a) => a.id);
  const detail = await applications.get(reported.id);
  out.detail = { id: detail.id, timeline: (detail.timeline || []).map((t) => t.status) };
  const withdrawn = await applications.withdraw(reported.id, '已联系上家属');
  out.withdraw = { status: withdrawn.status };

  // ---- subscriptions and the verified phone ----
  const templates = await me.subscriptionTemplates();
  const ids = templates.map((t) => t.template_id).slice(0, 3);
  await me.reportSubscriptions(ids);
  out.subscriptions = ids;
  out.phone = await me.verifiedPhone('contract-phone');

  // ---- staff: bind WeChat once, then a cold start signs in with WeChat alone ----
  const bound = await auth.bindStaffWeChat(input.worker_username, input.password);
  out.bind = bound.user;
  coldStart();
  const auth2 = require('../../services/auth');
  const api2 = require('../../api/request');
  out.after_cold_start = {
    staff: Boolean(api2.getSession('staff')),
    resident: Boolean(api2.getSession('resident')),
  };
  api2.clearSession('staff'); // the refresh token gone too: only the bound WeChat is left
  const relogged = await auth2.loginStaffWithWeChat();
  out.wechat_login = relogged.user;

  const staff2 = require('../../services/staff');
  const session2 = require('../../services/session');
  const queue2 = require('../../utils/visit-queue');
  const { body: accept } = transitionBody('accept', { note: '已电话联系', publicNote: '' });
  const accepted = await staff2.transition(own.id, accept);
  out.accept = { status: accepted.status, assignee_id: accepted.assignee_id };
  // The resident's case page asks for the statutory procedure: none started yet is null (404).
  out.procedure = await require('../../services/applications').procedure(own.id);
  const myself = await staff2.me();
  const work = await staff2.worklist(myself.id);
  out.worklist = {
    cases: work.cases.items.map((c) => c.id),
    visits: work.visits.items.map((v) => v.household_id),
    warnings: work.warnings.items.length,
    errors: ['cases', 'visits', 'warnings'].filter((k) => work[k].error).map((k) => `${k}: ${work[k].error.message}`),
  };

  // ---- a visit through the offline queue; sent twice, stored once ----
  const visit = visitBody({ ...emptyVisit(), met: '户主本人', checklist: { food: 'concern', housing: 'ok' }, notes: '入户核实', riskLevelAfter: 'medium' }, Date.now());
  const queued = queue2.enqueue({ householdId: input.household_id, body: visit, photos: [photo], label: '契约测试' });
  out.flush = await session2.flushVisits();
  const replay = await staff2.recordVisit(input.household_id, visit, queued.key); // a lost answer, retried
  out.visit = { replayed_id: replay.id, queue_left: queue2.list().length };
  const visits = await staff2.visitsOf(input.household_id);
  out.visits = visits.items.map((v) => v.id);

  // The reveal, audited with its reason.
  const revealed = await staff2.reveal(own.id, '入户核实前确认身份');
  out.reveal = { id_number: revealed.id_number };
  return out;
}

main().then(
  (out) => {
    process.stdout.write(JSON.stringify(out));
  },
  (error) => {
    process.stderr.write(`${error.stack || error}\n${JSON.stringify({ code: error.code, status: error.statusCode, data: error.data })}\n`);
    process.exit(1);
  },
);
