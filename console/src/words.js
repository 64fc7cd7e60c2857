// What a person reads for the codes the API answers with.
export const ROLES = {
  community_worker: '社区/村工作人员',
  social_worker: '社工站',
  street_officer: '街道/镇',
  district_officer: '区民政局',
  auditor: '审计',
  admin: '系统管理员',
}
export const CATEGORIES = {
  dibao: '低保',
  tekun: '特困人员',
  dibao_edge: '低保边缘家庭',
  expenditure_hardship: '刚性支出困难家庭',
  other_special: '其他特殊困难',
  none: '未纳入类别',
}
// 特困人员供养方式 (the registry's care_arrangement; unknown: none recorded).
export const CARE = { dispersed: '分散供养', centralized: '集中供养', unknown: '未登记' }
export const STATUSES = {
  submitted: '已提交',
  accepted: '已受理',
  investigating: '调查中',
  reviewing: '审核中',
  approved: '审批通过',
  denied: '审批未通过',
  rejected: '不予受理',
  referred: '已转介',
  closed: '已办结',
  withdrawn: '已撤回',
}
export const LEVELS = { red: '红色', orange: '橙色', yellow: '黄色' }
export const HELP_TYPES = {
  basic_living: '基本生活',
  medical: '医疗',
  education: '教育',
  housing: '住房',
  employment: '就业',
  temporary: '临时困难',
  other: '其他',
}
// The menu: each entry shows when the role holds its scope (GET /me lists them; the API
// refuses the rest anyway).
export const MENUS = [
  { path: '/dashboard', title: '数据总览', scope: 'stats:read' },
  { path: '/queue', title: '求助受理', scope: 'cases:read' },
  { path: '/supervision', title: '督办', scope: 'cases:read' },
  { path: '/registry', title: '监测对象', scope: 'households:read' },
  { path: '/imports', title: '数据导入', scope: 'monitoring:read' },
  { path: '/warnings', title: '预警处置', scope: 'warnings:read' },
  { path: '/visits', title: '走访任务', scope: 'visits:read' },
  { path: '/assistance', title: '精准救助', scope: 'assistance:read' },
  { path: '/admin/staff', title: '账号管理', scope: 'accounts:admin' },
  { path: '/admin/agencies', title: '接入机构', scope: 'accounts:admin' },
]
export const SOURCES = {
  medical: '医疗费用（医保）',
  death: '死亡（公安）',
  disability: '残疾证（残联）',
  unemployment: '失业登记（人社）',
  utility_arrears: '水电气欠费',
  school_aid: '教育资助（教育）',
  housing_safety: '住房安全（住建）',
  vehicle: '车辆登记（交管）',
  business: '工商登记（市场监管）',
  income: '养老金与收入（人社）',
}
export const IMPORT_STATUSES = { queued: '排队中', running: '导入中', done: '已完成', failed: '失败' }
export const WARNING_STATUSES = {
  open: '待派发',
  dispatched: '核实中',
  verified: '已核实待处置',
  resolved: '已处置',
  closed: '误报已关闭',
}
export const WARNING_DUE = { red: '24 小时内核实', orange: '3 天内核实', yellow: '7 天内核实' }
export const ROUTES = {
  deliver_policy: '政策落实',
  push_department: '转办相关部门',
  case_conference: '一事一议',
  close: '核实后办结',
}
export const DELIVERIES = {
  application: '代为提出救助申请',
  category_proposal: '提出类别调整建议',
  emergency_aid: '先行救助（已发放）',
}
export const RISKS = { high: '高', medium: '中', low: '低' }
export const SERVICE_TYPES = {
  elderly_care: '养老照护',
  disabled_care: '助残服务',
  child_care: '儿童关爱',
  emotional_support: '心理疏导与情感支持',
  medical_escort: '就医陪护',
  tutoring: '课业辅导',
  job_help: '就业帮扶',
  legal_aid: '法律援助',
  material_help: '物资帮扶',
  volunteering: '志愿服务（时间银行）',
}
export const URGENCIES = { high: '紧急', medium: '较急', low: '一般' }
export const NEED_STATUSES = { open: '待满足', met: '已满足', closed: '已关闭' }
export const PLAN_STATUSES = { draft: '草稿待审批', approved: '已审批', closed: '已结束' }
export const REFERRAL_STATUSES = {
  sent: '已发出待接收',
  accepted: '已接收服务中',
  declined: '已拒绝',
  completed: '已结案',
  cancelled: '已撤回',
}
export const CHECKLIST = {
  housing: '住房',
  food: '吃饭',
  heating_cooling: '取暖降温',
  health: '健康',
  care: '照料',
  schooling: '上学',
  income_change: '收入变化',
  urgent_needs: '急难需求',
}
export const CHECK_VALUES = { ok: '正常', concern: '需关注', urgent: '紧急', 'n/a': '不适用' }
// A region code covers another when it is the same, or its street or district holds it.
export function covers(ancestor, code) {
  if (!ancestor || !code) return false
  if (ancestor.endsWith('000000')) return code.startsWith(ancestor.slice(0, 6))
  if (ancestor.endsWith('000')) return code.startsWith(ancestor.slice(0, 9))
  return ancestor === code
}
export function dateTime(value) {
  return value ? value.replace('T', ' ').slice(0, 16) : ''
}
