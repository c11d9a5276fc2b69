import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Five minutes of once-a-second stats: enough to see a drop rise and drain, bounded in memory. */
const KEEP_POINTS = 300;

export interface SeriesSpec {
  label: string;
  stroke: string;
}

/**
 * One uPlot time-series chart in a <figure>, fed a point at a time. uPlot draws on a canvas in a
 * few kB; its legend (a table) repeats the latest values as text for screen readers.
 */
export class StatsChart {
  readonly figure: HTMLElement;
  readonly #caption: HTMLElement;
  readonly #plot: uPlot;
  readonly #data: number[][];

  constructor(caption: string, timeLabel: string, series: SeriesSpec[]) {
    this.figure = document.createElement('figure');
    this.figure.className = 'card chart';
    this.#caption = document.createElement('figcaption');
    this.#caption.textContent = caption;
    const body = document.createElement('div');
    this.figure.append(this.#caption, body);
    this.#data = [[], ...series.map(() => [])];
    this.#plot = new uPlot(
      {
        width: 320,
        height: 200,
        series: [{ label: timeLabel }, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2 }))],
        axes: [{}, { size: 60 }],
        scales: { x: { time: true } },
        cursor: { drag: { x: false, y: false } },
      },
      this.#data as uPlot.AlignedData,
      body,
    );
    // The chart takes its card's width, also when the window turns or the 390 px layout applies.
    new ResizeObserver(() => {
      const width = Math.max(200, body.clientWidth);
      if (width !== this.#plot.width) this.#plot.setSize({ width, height: 200 });
    }).observe(body);
  }

  /** After a language switch: the caption, then the legend's labels, the time's first. */
  setLabels(caption: string, labels: string[]): void {
    this.#caption.textContent = caption;
    const legend = this.#plot.root.querySelectorAll('.u-legend .u-series .u-label');
    for (const [index, label] of labels.entries()) {
      const element = legend[index];
      if (element) element.textContent = label;
    }
  }

  add(atMs: number, values: number[]): void {
    this.#data[0]!.push(atMs / 1000);
    for (const [index, value] of values.entries()) this.#data[index + 1]!.push(value);
    if (this.#data[0]!.length > KEEP_POINTS) for (const column of this.#data) column.shift();
    this.#plot.setData(this.#data as uPlot.AlignedData);
    this.figure.dataset.points = String(this.#data[0]!.length);
  }

  clear(): void {
    for (const column of this.#data) column.length = 0;
    this.#plot.setData(this.#data as uPlot.AlignedData);
    this.figure.dataset.points = '0';
  }
}
