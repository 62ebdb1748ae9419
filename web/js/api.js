// The jiesu HTTP API as the screens use it: the key in localStorage, `Authorization: Bearer`
// on every call, errors as ApiError carrying the server's {"error":{code,message}}.

const KEY_STORAGE = 'jiesu.key';

export function getKey() {
  try { return localStorage.getItem(KEY_STORAGE) || ''; } catch { return ''; }
}

export function setKey(key) {
  try { localStorage.setItem(KEY_STORAGE, key); } catch { /* private mode: key lives in memory */ }
  memoryKey = key;
}

export function clearKey() {
  try { localStorage.removeItem(KEY_STORAGE); } catch { /* ignore */ }
  memoryKey = '';
  reference = null;
}

let memoryKey = '';

const STATUS_LABELS = {
  400: '请求有误', 401: '未登录或密钥无效', 403: '无权执行', 404: '未找到',
  409: '当前状态不允许此操作', 413: '内容过长', 500: '服务器内部错误', 503: '服务暂不可用',
};

export class ApiError extends Error {
  constructor(status, code, message, requestId) {
    super(message || STATUS_LABELS[status] || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
    this.requestId = requestId || '';
  }

  // "当前状态不允许此操作（409）：cannot accept a case that is closed (已办结)"
  describe() {
    const head = this.status ? `${STATUS_LABELS[this.status] || '请求失败'}（${this.status}）` : '网络错误';
    return this.message && this.message !== head ? `${head}：${this.message}` : head;
  }
}

// Listeners told when the key is refused (401), so the app returns to the login screen.
const unauthorizedListeners = new Set();
export function onUnauthorized(fn) { unauthorizedListeners.add(fn); }

export async function api(path, { method = 'GET', body, query } = {}) {
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '' && v !== false) params.set(k, String(v));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const headers = { Accept: 'application/json' };
  const key = getKey() || memoryKey;
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(url, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'network', `无法连接服务器（${e.message}）`);
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const err = data && data.error ? data.error : {};
    const e = new ApiError(res.status, err.code, err.message, err.request_id);
    if (res.status === 401) for (const fn of unauthorizedListeners) fn(e);
    throw e;
  }
  return data;
}

// ---- reference data (units, categories), fetched once per sign-in -------------------------

let reference = null;

export function loadReference() {
  if (!reference) {
    reference = Promise.all([api('/api/v1/units'), api('/api/v1/categories')]).then(
      ([u, c]) => {
        const units = u.units || [];
        const categories = c.categories || [];
        return {
          units,
          categories,
          unitByCode: new Map(units.map((x) => [x.code, x])),
          categoryByCode: new Map(categories.map((x) => [x.code, x])),
        };
      },
      (e) => { reference = null; throw e; },
    );
  }
  return reference;
}

export const ROLE_LABELS = {
  operator: '话务员', handler: '承办单位', supervisor: '督查领导', inspector: '巡察组',
  admin: '系统管理员', public: '公众', system: '系统',
};

export const STATUS = [
  ['received', '已受理'], ['dispatched', '已派单'], ['accepted', '办理中'], ['objected', '异议待审'],
  ['replied', '已反馈'], ['called_back', '已回访'], ['closed', '已办结'], ['transferred', '已移交'],
];

export const TYPES = [
  ['consult', '咨询'], ['help', '求助'], ['complaint', '投诉'], ['report', '举报'], ['suggestion', '建议'],
];

export const URGENCY = [['normal', '普通'], ['urgent', '紧急'], ['emergency', '特急']];

export const SOURCES = {
  hotline: '12345热线', web: '网络', open311: 'Open311', inspection: '巡察', grid: '网格',
  proactive: '主动治理',
};

export const LEVELS = {
  district: '区', township: '街道/乡镇', community: '社区/村', grid: '网格', department: '委办局',
};
