import { createRouter, createWebHistory } from 'vue-router'
import { session } from './api.js'
import Login from './views/Login.vue'
import Layout from './views/Layout.vue'
import Dashboard from './views/Dashboard.vue'
import Queue from './views/Queue.vue'
import CaseView from './views/CaseView.vue'
import Registry from './views/Registry.vue'

export const router = createRouter({
  history: createWebHistory('/console/'),
  routes: [
    { path: '/login', component: Login, meta: { title: '登录' } },
    {
      path: '/',
      component: Layout,
      children: [
        { path: '', redirect: '/dashboard' },
        { path: 'dashboard', component: Dashboard, meta: { title: '数据总览' } },
        { path: 'queue', component: Queue, meta: { title: '求助受理' } },
        { path: 'cases/:id', component: CaseView, meta: { title: '案件详情' } },
        { path: 'registry', component: Registry, meta: { title: '监测对象' } },
      ],
    },
    { path: '/:rest(.*)*', redirect: '/dashboard' },
  ],
})

router.beforeEach((to) => {
  if (to.path !== '/login' && !session()) return { path: '/login', query: { next: to.fullPath } }
  document.title = `${to.meta.title || '工作台'} · 救助`
  return true
})
