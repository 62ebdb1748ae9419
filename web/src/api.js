// The one place that talks to jiesu's HTTP API (/api/v1, docs/openapi.yaml). The key lives in
// localStorage and goes out as `Authorization: Bearer` on every call; a failed call throws an
// ApiError carrying the server's {"error":{code,message,request_id}}, which describe() turns
// into a sentence for the user.

const KEY_STORAGE = 'jiesu.key';
let memoryKey = '';

export function getKey() {
  try { return localStorage.getItem(KEY_STORAGE) || memoryKey; } catch { return memoryKey; }
}

export function setKey(key) {
  memoryKey = key;
  try { localStorage.setItem(KEY_STORAGE, key); } catch { /* private mode: the key lives in memory */ }
}

export function clearKey() {
  memoryKey = '';
  reference = null;
  try { localStorage.removeItem(KEY_STORAGE); } catch { /* nothing stored */ }
}

export class ApiError extends Error {
  constructor(status, code, message, requestId, retryAfter) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
    this.requestId = requestId || '';
    this.retryAfter = retryAfter || '';
  }

  // One sentence in Chinese; the server's own message (English, with the Chinese status name)
  // follows as the detail an administrator can search for.
  describe() {
    const detail = this.message && !this.message.startsWith('HTTP ') ? `（${this.message}）` : '';
    switch (this.status) {
      case 0: return '无法连接服务器，请检查网络后重试。';
      case 400: return `填写的内容有误，请核对后重试${detail}。`;
      case 401: return '密钥无效或已停用，请重新登录。';
      case 403: return `您的账号无权执行此操作${detail}。`;
      case 404: return `未找到要访问的内容，可能已被删除或编号有误${detail}。`;
      case 409: return `当前状态不允许此操作，可能已有人处理过，请刷新后再试${detail}。`;
      case 413: return '内容过长，请删减后再提交。';
      case 429: return `操作过于频繁，请${this.retryAfter ? ` ${this.retryAfter} 秒` : '稍'}后再试。`;
      case 503: return `服务暂不可用，请稍后再试${detail}。`;
      default:
        return `服务器出错，请稍后再试；如反复出现，请把请求编号 ${this.requestId || '（无）'} 告诉系统管理员。`;
    }
  }
}

// Told when the key is refused (401), so the app can return to the sign-in screen.
const unauthorizedListeners = new Set();
export function onUnauthorized(fn) { unauthorizedListeners.add(fn); }

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '' && v !== false) params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function call(path, { method = 'GET', body, query, form } = {}) {
  const headers = { Accept: 'application/json' };
  const key = getKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(withQuery(path, query), { method, headers, body: payload, cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    const e = new ApiError(res.status, err.code, err.message, err.request_id || res.headers.get('X-Request-Id'),
      res.headers.get('Retry-After'));
    if (res.status === 401) for (const fn of unauthorizedListeners) fn(e);
    throw e;
  }
  return data;
}

// ---- who am I -------------------------------------------------------------------------------

export const me = () => call('/api/v1/me');

// ---- cases ----------------------------------------------------------------------------------

export const getCase = (id) => call(`/api/v1/cases/${encodeURIComponent(id)}`);
export const createCase = (body) => call('/api/v1/cases', { method: 'POST', body });
export const act = (id, body) => call(`/api/v1/cases/${encodeURIComponent(id)}/actions`, { method: 'POST', body });

// One page: {cases, next_cursor}. filters: unit, status, category, type, from, to, q, overdue, supervised.
export const listCases = (filters, { limit = 50, cursor } = {}) =>
  call('/api/v1/cases', { query: { ...filters, limit, cursor } });

// Every case matching the filters, up to `max`, following next_cursor; {cases, complete}.
export async function listAllCases(filters, { max = 2000 } = {}) {
  const cases = [];
  let cursor;
  for (;;) {
    const page = await listCases(filters, { limit: Math.min(500, max - cases.length), cursor });
    cases.push(...(page.cases || []));
    cursor = page.next_cursor;
    if (!cursor) return { cases, complete: true };
    if (cases.length >= max) return { cases, complete: false };
  }
}

export function uploadAttachment(id, file) {
  const form = new FormData();
  form.append('file', file, file.name);
  return call(`/api/v1/cases/${encodeURIComponent(id)}/attachments`, { method: 'POST', form });
}

// An attachment as a blob: URL (the route needs the bearer key, so <img src> cannot fetch it).
export async function attachmentUrl(url) {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${getKey()}` }, cache: 'no-store' });
  if (!res.ok) throw new ApiError(res.status, '', res.statusText);
  return URL.createObjectURL(await res.blob());
}

// The router's proposal for a call being typed: {category, unit, confidence, reason, place,
// suggestions, duplicates, auto}. The route is asked of the server (see the report of issue 6);
// while it does not exist the answer is null and intake shows the proposal after submitting.
let previewMissing = false;
export async function previewDispatch(body) {
  if (previewMissing) return null;
  try {
    const r = await call('/api/v1/dispatch/preview', { method: 'POST', body });
    return r && r.dispatch ? r.dispatch : r;
  } catch (e) {
    if (e.status === 404 || e.status === 405) { previewMissing = true; return null; }
    throw e;
  }
}
export const previewAvailable = () => !previewMissing;

// ---- assessment, review, inspections --------------------------------------------------------

export const assessment = (month, level = 'township') => call('/api/v1/assessments', { query: { month, level } });
export const review = (month) => call('/api/v1/reports/monthly', { query: { month, format: 'json' } });

// A file the route answers (a workbook), fetched with the key; a Blob.
async function fileOf(path, query) {
  const res = await fetch(withQuery(path, query), {
    headers: { Authorization: `Bearer ${getKey()}` }, cache: 'no-store',
  });
  if (!res.ok) {
    let err = {};
    try { err = (await res.json()).error || {}; } catch { /* not JSON */ }
    throw new ApiError(res.status, err.code, err.message, err.request_id);
  }
  return res.blob();
}

// The monthly review as an Excel workbook, for the office; a Blob.
export const reviewWorkbook = (month) => fileOf('/api/v1/reports/monthly', { month, format: 'xlsx' });
export const inspections = () => call('/api/v1/inspections');
export const inspection = (id) => call(`/api/v1/inspections/${encodeURIComponent(id)}`);
export const createInspection = (body) => call('/api/v1/inspections', { method: 'POST', body });
export const addFinding = (id, body) =>
  call(`/api/v1/inspections/${encodeURIComponent(id)}/findings`, { method: 'POST', body });

// ---- community: buildings and deliberation, enterprises, consultations (docs/community.md) ----

const seg = (x) => encodeURIComponent(x);

export const buildings = (community) => call('/api/v1/buildings', { query: { community } });
export const building = (id) => call(`/api/v1/buildings/${seg(id)}`);
export const createBuilding = (body) => call('/api/v1/buildings', { method: 'POST', body });
// {name?, covenant?, leader_id?}
export const updateBuilding = (id, body) => call(`/api/v1/buildings/${seg(id)}`, { method: 'POST', body });
// {name, room} → {resident, key}: the key is shown this once.
export const addResident = (id, body) => call(`/api/v1/buildings/${seg(id)}/residents`, { method: 'POST', body });
export const reissueResidentKey = (id, rid) => call(`/api/v1/buildings/${seg(id)}/residents/${seg(rid)}/key`, { method: 'POST', body: {} });
export const residentLeaves = (id, rid) => call(`/api/v1/buildings/${seg(id)}/residents/${seg(rid)}/leave`, { method: 'POST', body: {} });

export const proposals = (buildingId) => call(`/api/v1/buildings/${seg(buildingId)}/proposals`);
export const createProposal = (buildingId, body) =>
  call(`/api/v1/buildings/${seg(buildingId)}/proposals`, { method: 'POST', body });
export const proposal = (id) => call(`/api/v1/proposals/${seg(id)}`);
export const comment = (id, text) => call(`/api/v1/proposals/${seg(id)}/comments`, { method: 'POST', body: { text } });
export const vote = (id, choice) => call(`/api/v1/proposals/${seg(id)}/votes`, { method: 'POST', body: { choice } });
// {outcome: agreed|rejected, agreement, needs_unit?, type?, category?}
export const closeProposal = (id, body) => call(`/api/v1/proposals/${seg(id)}/close`, { method: 'POST', body });

export const enterprises = (filters) => call('/api/v1/enterprises', { query: filters });
export const enterprise = (id) => call(`/api/v1/enterprises/${seg(id)}`);
export const createEnterprise = (body) => call('/api/v1/enterprises', { method: 'POST', body });

export const consultations = () => call('/api/v1/consultations');
export const consultation = (id) => call(`/api/v1/consultations/${seg(id)}`);
export const createConsultation = (body) => call('/api/v1/consultations', { method: 'POST', body });
// {section, text, name?} → {opinion: {id, section, at}}
export const giveOpinion = (id, body) => call(`/api/v1/consultations/${seg(id)}/opinions`, { method: 'POST', body });
// The opinions grouped per section and by similarity: {consultation, sections, opinions}.
export const opinions = (id) => call(`/api/v1/consultations/${seg(id)}/opinions`);
// The opinions as an Excel workbook (意见汇总, 意见明细); a Blob.
export const opinionsWorkbook = (id) => fileOf(`/api/v1/consultations/${seg(id)}/export`);

// ---- reference data (units, categories), fetched once per sign-in ----------------------------

let reference = null;

export function loadReference() {
  if (!reference) {
    reference = Promise.all([call('/api/v1/units'), call('/api/v1/categories')]).then(([u, c]) => {
      const units = u.units || [];
      const categories = c.categories || [];
      const unitByCode = new Map(units.map((x) => [x.code, x]));
      const categoryByCode = new Map(categories.map((x) => [x.code, x]));
      return {
        units,
        categories,
        unitByCode,
        categoryByCode,
        townships: units.filter((x) => x.level === 'township'),
        // The 大类 a category belongs to (itself for a 大类).
        topCategory(code) {
          let c = categoryByCode.get(code);
          while (c && c.parent && categoryByCode.has(c.parent)) c = categoryByCode.get(c.parent);
          return c || null;
        },
        unitName(code) {
          const x = code && unitByCode.get(code);
          return x ? x.short_name || x.name : code || '';
        },
        categoryName(code) {
          const x = code && categoryByCode.get(code);
          return x ? x.name : code || '';
        },
        // Is `code` the unit `within` or below it?
        isWithin(code, within) {
          for (let x = unitByCode.get(code); x; x = x.parent ? unitByCode.get(x.parent) : null) {
            if (x.code === within) return true;
          }
          return false;
        },
      };
    }, (e) => { reference = null; throw e; });
  }
  return reference;
}
