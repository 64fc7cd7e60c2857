// The backend's API on the same origin, with the staff member's tokens kept for the tab only.
const BASE = '/api/v1'
const KEY = 'jiuzhu.console.session'

export function session() {
  const raw = sessionStorage.getItem(KEY)
  return raw ? JSON.parse(raw) : null
}

function keep(value) {
  if (value) sessionStorage.setItem(KEY, JSON.stringify(value))
  else sessionStorage.removeItem(KEY)
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `请求失败（${status}）`)
    this.status = status
    this.code = body && body.code
    this.body = body
  }
}

async function refresh(current) {
  const response = await fetch(`${BASE}/auth/refresh`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: current.refresh_token }),
  })
  if (!response.ok) {
    keep(null)
    return null
  }
  const tokens = await response.json()
  const next = { ...current, access_token: tokens.access_token, refresh_token: tokens.refresh_token }
  keep(next)
  return next
}

export async function call(path, { method = 'GET', body, form, raw = false, retried = false } = {}) {
  const current = session()
  const headers = { Accept: 'application/json' }
  if (current) headers.Authorization = `Bearer ${current.access_token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  // A multipart body (a file): the browser sets its Content-Type with the boundary.
  if (method === 'POST' && (body !== undefined || form !== undefined)) headers['Idempotency-Key'] = crypto.randomUUID()
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers,
    body: form !== undefined ? form : body === undefined ? undefined : JSON.stringify(body),
  })
  if (response.status === 401 && current && !retried) {
    if (await refresh(current)) return call(path, { method, body, form, raw, retried: true })
    window.location.assign('/console/login')
  }
  if (!response.ok) {
    let payload = null
    try {
      payload = await response.json()
    } catch {
      payload = null
    }
    throw new ApiError(response.status, payload)
  }
  if (raw) return response
  if (response.status === 204) return null
  return response.json()
}

export async function login(username, password) {
  const response = await fetch(`${BASE}/auth/staff/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  const payload = await response.json().catch(() => null)
  if (!response.ok) throw new ApiError(response.status, payload)
  keep({ access_token: payload.access_token, refresh_token: payload.refresh_token })
  const me = await call('/me')
  keep({ ...session(), me })
  return me
}

// What the signed-in staff member may do (the role's scopes, from GET /me).
export function can(scope) {
  const me = (session() || {}).me || {}
  return (me.scopes || []).includes(scope)
}

export function logout() {
  keep(null)
}

// A download (XLSX) through the token: fetched, then saved under the server's file name.
export async function download(path) {
  const response = await call(path, { raw: true })
  const disposition = response.headers.get('Content-Disposition') || ''
  const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)
  const plain = /filename="([^"]+)"/.exec(disposition)
  const name = encoded ? decodeURIComponent(encoded[1]) : plain ? plain[1] : 'export.xlsx'
  const blob = await response.blob()
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = name
  document.body.appendChild(link)
  link.click()
  link.remove()
  URL.revokeObjectURL(link.href)
}
