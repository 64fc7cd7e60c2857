// Display helpers: masking, times and the Chinese labels of the API's machine values.

const STATUS_LABELS = {
  submitted: '已提交',
  accepted: '已受理',
  investigating: '调查核实中',
  reviewing: '审核审批中',
  approved: '已批准',
  denied: '未获批准',
  rejected: '不予受理',
  referred: '已转介',
  closed: '已办结',
  withdrawn: '已撤回',
};

const HELP_TYPE_LABELS = {
  basic_living: '基本生活',
  medical: '医疗',
  education: '教育',
  housing: '住房',
  employment: '就业',
  emergency: '临时/急难',
  care: '照料服务',
  other: '其他',
};

const RELATION_LABELS = {
  self: '本人',
  family: '家人',
  neighbor: '邻居',
  grid_worker: '网格员',
  volunteer: '志愿者',
  agency: '服务机构',
  other: '其他',
};

const CHANNEL_LABELS = {
  mini_program: '小程序（本人）',
  mini_program_report: '小程序（代为求助）',
  agency: '服务机构',
  staff: '工作人员录入',
};

const ACTION_LABELS = {
  accept: '受理',
  reject: '不予受理',
  start_investigation: '开始调查',
  submit_review: '提交审核',
  approve: '批准',
  deny: '不予批准',
  refer: '转介',
  close: '办结',
};

// Case history entries: the transitions plus what else the server records on a case.
const EVENT_LABELS = {
  ...ACTION_LABELS,
  submit: '提交求助',
  withdraw: '申请人撤回',
  assign: '分派',
  note: '备注',
};

const CATEGORY_LABELS = {
  dibao: '最低生活保障',
  tekun: '特困人员',
  dibao_edge: '低保边缘家庭',
  expenditure_hardship: '刚性支出困难家庭',
  other_special: '其他特殊困难',
};

const ROLE_LABELS = {
  resident: '群众',
  community_worker: '社区工作人员',
  social_worker: '社工站',
  street_officer: '街道/镇工作人员',
  district_officer: '区民政局',
  auditor: '审计',
  admin: '管理员',
};

function labelOf(table, value) {
  return Object.prototype.hasOwnProperty.call(table, value) ? table[value] : String(value || '');
}

const statusLabel = (v) => labelOf(STATUS_LABELS, v);
const helpTypeLabel = (v) => labelOf(HELP_TYPE_LABELS, v);
const relationLabel = (v) => labelOf(RELATION_LABELS, v);
const channelLabel = (v) => labelOf(CHANNEL_LABELS, v);
const actionLabel = (v) => labelOf(ACTION_LABELS, v);
const eventLabel = (v) => labelOf(EVENT_LABELS, v);
const categoryLabel = (v) => labelOf(CATEGORY_LABELS, v);
const roleLabel = (v) => labelOf(ROLE_LABELS, v);

/** '510115********1234': the first 6 and last 4 characters, as the server masks. */
function maskIdNumber(value) {
  const s = String(value || '');
  if (s.length < 10) return s ? '*'.repeat(s.length) : '';
  return s.slice(0, 6) + '*'.repeat(s.length - 10) + s.slice(-4);
}

/** '138****0000': the first 3 and last 4 characters, as the server masks (app/kit/crypto.py). */
function maskPhone(value) {
  const s = String(value || '');
  if (s.length < 7) return '*'.repeat(s.length);
  return s.slice(0, 3) + '*'.repeat(s.length - 7) + s.slice(-4);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/;

/**
 * 'YYYY-MM-DD HH:mm' as written by the server (its local time, +08:00), without going
 * through the phone's time zone.
 */
function formatTime(iso) {
  const m = ISO.exec(String(iso || ''));
  if (!m) return '';
  return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}`;
}

function formatDate(iso) {
  const m = ISO.exec(String(iso || ''));
  return m ? `${m[1]}-${m[2]}-${m[3]}` : '';
}

/** The applicant's status history for the timeline component, newest first. */
function timelineView(timeline) {
  return (timeline || [])
    .map((entry, index) => ({
      key: `${index}-${entry.status}`,
      status: entry.status,
      label: statusLabel(entry.status),
      time: formatTime(entry.at),
      note: entry.note || '',
    }))
    .reverse();
}

/** Bytes as '1.2 MB' / '350 KB'. */
function formatSize(bytes) {
  const n = Number(bytes) || 0;
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1024))} KB`;
}

/** A line of "my applications" or the staff queue. */
function applicationSummary(application) {
  const subject = application.subject || {};
  return {
    id: application.id,
    reference: application.reference,
    status: application.status,
    statusLabel: statusLabel(application.status),
    subjectName: subject.name || '',
    regionName: subject.region_name || '',
    helpTypes: (application.help_types || []).map(helpTypeLabel).join('、'),
    createdAt: formatTime(application.created_at),
    // No guessed date: the deadline runs past the holiday calendar's data (see the README).
    dueAt: application.deadline_unknown ? '待定（节假日安排未录入）' : formatTime(application.due_at),
    overdue: Boolean(application.overdue),
    urgent: application.priority === 'urgent' || (application.help_types || []).includes('emergency'),
  };
}

module.exports = {
  STATUS_LABELS,
  HELP_TYPE_LABELS,
  RELATION_LABELS,
  CHANNEL_LABELS,
  ACTION_LABELS,
  EVENT_LABELS,
  CATEGORY_LABELS,
  ROLE_LABELS,
  statusLabel,
  helpTypeLabel,
  relationLabel,
  channelLabel,
  actionLabel,
  eventLabel,
  categoryLabel,
  roleLabel,
  maskIdNumber,
  maskPhone,
  formatTime,
  formatDate,
  formatSize,
  timelineView,
  applicationSummary,
};
