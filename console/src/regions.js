// Region names from the public region tree (GET /regions?parent_code=), cached for the tab.
// Codes are hierarchical: district 510115000000 > street 510115001000 > community 510115001001.
import { call } from './api.js'

const names = {}
const loaded = {}

async function children(parent) {
  if (!loaded[parent]) {
    loaded[parent] = call(parent ? `/regions?parent_code=${parent}` : '/regions').then((page) => {
      for (const r of page.items) names[r.code] = r.name
    }).catch((exc) => {
      delete loaded[parent]
      throw exc
    })
  }
  return loaded[parent]
}

// The name of a region (its code when it cannot be found).
export async function regionName(code) {
  if (!code) return ''
  if (names[code]) return names[code]
  const district = `${code.slice(0, 6)}000000`
  const street = `${code.slice(0, 9)}000`
  try {
    await children('')
    if (code !== district) await children(district)
    if (code !== district && code !== street) await children(street)
  } catch {
    return code
  }
  return names[code] || code
}

// The names already known (for tables that render synchronously).
export function knownName(code) {
  return names[code] || code
}
