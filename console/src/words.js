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
// What each role's menu shows (the API refuses the rest anyway).
export const MENUS = [
  { path: '/dashboard', title: '数据总览', roles: ['community_worker', 'social_worker', 'street_officer', 'district_officer', 'auditor'] },
  { path: '/queue', title: '求助受理', roles: ['community_worker', 'social_worker', 'street_officer', 'district_officer', 'auditor'] },
  { path: '/registry', title: '监测对象', roles: ['community_worker', 'social_worker', 'street_officer', 'district_officer', 'auditor'] },
]
export function dateTime(value) {
  return value ? value.replace('T', ' ').slice(0, 16) : ''
}
