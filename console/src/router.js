import { createRouter, createWebHistory } from 'vue-router'
import { session } from './api.js'
import { MENUS } from './words.js'
import Login from './views/Login.vue'
import Layout from './views/Layout.vue'
import Dashboard from './views/Dashboard.vue'
import Queue from './views/Queue.vue'
import CaseView from './views/CaseView.vue'
import Registry from './views/Registry.vue'
import Imports from './views/Imports.vue'
import Warnings from './views/Warnings.vue'
import Visits from './views/Visits.vue'
import Assistance from './views/Assistance.vue'
import Accounts from './views/Accounts.vue'
import Agencies from './views/Agencies.vue'
import Supervision from './views/Supervision.vue'

// The first page the signed-in role may open (an admin has no dashboard).
export function home() {
  const scopes = ((session() || {}).me || {}).scopes || []
  const first = MENUS.find((item) => scopes.includes(item.scope))
  return first ? first.path : '/dashboard'
}

export const router = createRouter({
  history: createWebHistory('/console/'),
  routes: [
    { path: '/login', component: Login, meta: { title: '登录' } },
    {
      path: '/',
      component: Layout,
      children: [
        { path: '', redirect: () => home() },
        { path: 'dashboard', component: Dashboard, meta: { title: '数据总览' } },
        { path: 'queue', component: Queue, meta: { title: '求助受理' } },
        { path: 'cases/:id', component: CaseView, meta: { title: '案件详情' } },
        { path: 'supervision', component: Supervision, meta: { title: '督办' } },
        { path: 'registry', component: Registry, meta: { title: '监测对象' } },
        { path: 'imports', component: Imports, meta: { title: '数据导入' } },
        { path: 'warnings', component: Warnings, meta: { title: '预警处置' } },
        { path: 'visits', component: Visits, meta: { title: '走访任务' } },
        { path: 'assistance', component: Assistance, meta: { title: '精准救助' } },
        { path: 'admin/staff', component: Accounts, meta: { title: '账号管理' } },
        { path: 'admin/agencies', component: Agencies, meta: { title: '接入机构' } },
      ],
    },
    { path: '/:rest(.*)*', redirect: () => home() },
  ],
})

router.beforeEach((to) => {
  if (to.path !== '/login' && !session()) return { path: '/login', query: { next: to.fullPath } }
  document.title = `${to.meta.title || '工作台'} · 救助`
  return true
})
