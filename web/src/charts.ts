// ECharts, with only the chart types and components the pages use (keeps the bundle small).
import * as echarts from "echarts/core";
import { BarChart, HeatmapChart, LineChart } from "echarts/charts";
import { GridComponent, LegendScrollComponent, TooltipComponent, VisualMapContinuousComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, HeatmapChart, LineChart, GridComponent, LegendScrollComponent, TooltipComponent, VisualMapContinuousComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export const palette = ["#3b6fd6", "#2f9e6e", "#e0a526", "#d9534f", "#7b5cc4", "#1aa3b8", "#8a8f98", "#c2577a"];

/**
 * Draws an option into a container; the chart follows the container's size and is disposed with the signal. Each
 * draw is a performance measure named after the container's data-chart, which the web benchmark reads.
 */
export function chart(container: HTMLElement, option: ChartOption, signal?: AbortSignal): echarts.ECharts {
  const started = performance.now();
  const instance = echarts.init(container, null, { renderer: "canvas" });
  instance.setOption({ color: palette, animation: false, textStyle: { fontFamily: "inherit" }, ...option });
  performance.measure(`chart:${container.dataset.chart ?? "?"}`, { start: started, end: performance.now() });
  // The browser tests read the laid-out chart (where its legend and axes went) from here.
  (container as HTMLElement & { chartInstance?: echarts.ECharts }).chartInstance = instance;
  let width = container.clientWidth, height = container.clientHeight;
  const observer = new ResizeObserver(() => {
    // The observer reports the size once on observe; redraw only when it really changed.
    if (container.clientWidth === width && container.clientHeight === height) return;
    width = container.clientWidth;
    height = container.clientHeight;
    instance.resize();
  });
  observer.observe(container);
  signal?.addEventListener("abort", () => { observer.disconnect(); instance.dispose(); });
  return instance;
}
