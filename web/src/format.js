// Formatting of times, months, rates and scores; everything in Beijing time (Asia/Shanghai),
// whatever the browser's own time zone.

const TZ = 'Asia/Shanghai';
const PARTS = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

function parts(date) {
  const out = {};
  for (const p of PARTS.formatToParts(date)) out[p.type] = p.value;
  return out;
}

function parse(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

// "2026-11-26T17:27:20+08:00" → "2026-11-26 17:27".
export function fmtTime(iso) {
  const d = parse(iso);
  if (!d) return iso ? String(iso) : '—';
  const p = parts(d);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

// "11-26 17:27": for lists where the year is obvious.
export function fmtShort(iso) {
  const d = parse(iso);
  if (!d) return '—';
  const p = parts(d);
  return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export function fmtDate(iso) {
  const d = parse(iso);
  if (!d) return '—';
  const p = parts(d);
  return `${p.year}-${p.month}-${p.day}`;
}

// Value for <input type="datetime-local"> in Beijing time.
export function toLocalInput(iso) {
  const p = parts(parse(iso) || new Date());
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// <input type="datetime-local"> or <input type="date"> value (Beijing wall time) → ISO 8601.
export function fromLocalInput(value) {
  if (!value) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T00:00:00+08:00`;
  return `${value.length === 16 ? `${value}:00` : value}+08:00`;
}

export function addDays(iso, days) {
  const d = parse(iso) || new Date();
  return new Date(d.getTime() + days * 86400000).toISOString();
}

// How far a deadline is: {text: '超期 2天3小时' | '剩 5小时', level: 'overdue'|'soon'|'ok'}.
export function dueIn(iso, now = Date.now()) {
  const d = parse(iso);
  if (!d) return { text: '无时限', level: 'none', ms: Infinity };
  const ms = d.getTime() - now;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86400000);
  const hours = Math.floor((abs % 86400000) / 3600000);
  const minutes = Math.max(1, Math.floor((abs % 3600000) / 60000));
  let span;
  if (days > 0) span = hours ? `${days}天${hours}小时` : `${days}天`;
  else if (hours > 0) span = `${hours}小时`;
  else span = `${minutes}分钟`;
  if (ms < 0) return { text: `超期 ${span}`, level: 'overdue', ms };
  return { text: `剩 ${span}`, level: ms < 24 * 3600000 ? 'soon' : 'ok', ms };
}

export function fmtPct(x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return `${(x * 100).toFixed(digits)}%`;
}

export function fmtScore(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return Number(x).toFixed(2);
}

export function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// The current month in Beijing, as YYYY-MM.
export function thisMonth() {
  const p = parts(new Date());
  return `${p.year}-${p.month}`;
}

export function shiftMonth(month, delta) {
  const [y, m] = month.split('-').map(Number);
  const total = y * 12 + (m - 1) + delta;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

export function isMonth(text) {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(text || '');
}

// "2026-10" → "2026年10月"; short: "10月".
export function monthLabel(month, short = false) {
  const [y, m] = month.split('-').map(Number);
  return short ? `${m}月` : `${y}年${m}月`;
}

// The month as the case list's created-at window [from, to).
export function monthWindow(month) {
  return { from: `${month}-01T00:00:00+08:00`, to: `${shiftMonth(month, 1)}-01T00:00:00+08:00` };
}
