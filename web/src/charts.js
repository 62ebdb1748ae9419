// ECharts, reduced to what the dashboard draws (bars and lines on a grid, tooltips, legend),
// with the canvas renderer. Tooltips are drawn in the canvas (renderMode 'richText'), never as
// HTML markup: no data is parsed as HTML and no style attribute meets the CSP.

import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, AriaComponent, CanvasRenderer]);

export const COLORS = {
  good: '#1f7a4d', fair: '#2f6fb5', poor: '#c2571a', low: '#9aa5b1', ink: '#1f2328', muted: '#646b75',
  line: '#dfe2e7', accent: '#b3261e', response: '#2f6fb5', resolution: '#1f7a4d', satisfaction: '#a86200', score: '#b3261e',
};

export const FONT = 'system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

const live = new Set();

// Charts whose element left the page are disposed (the router replaces the whole screen).
function sweep() {
  for (const entry of live) {
    if (!entry.el.isConnected) {
      entry.observer.disconnect();
      entry.chart.dispose();
      live.delete(entry);
    }
  }
}
window.addEventListener('hashchange', () => setTimeout(sweep, 0));

// Draws `option` into `el`; onClick(params) for clicks on data. Resizes with its element.
export function drawChart(el, option, { onClick } = {}) {
  sweep();
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption({
    animationDuration: 300,
    textStyle: { fontFamily: FONT },
    aria: { enabled: true },
    ...option,
    tooltip: option.tooltip ? { renderMode: 'richText', confine: true, ...option.tooltip } : undefined,
  });
  if (onClick) {
    chart.on('click', onClick);
    chart.getZr().on('mousemove', (e) => { el.classList.toggle('clickable', Boolean(e.target)); });
  }
  const observer = new ResizeObserver(() => chart.resize());
  observer.observe(el);
  live.add({ el, chart, observer });
  return chart;
}

export function scoreBand(score, lowSample) {
  if (lowSample) return 'low';
  if (score >= 95) return 'good';
  if (score >= 85) return 'fair';
  return 'poor';
}
