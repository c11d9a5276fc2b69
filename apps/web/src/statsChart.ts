import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Five minutes of once-a-second stats: enough to see a drop rise and drain, bounded in memory. */
const KEEP_POINTS = 300;
const HEIGHT = 200;

export interface SeriesSpec {
  label: string;
  stroke: string;
}

/**
 * One uPlot time-series chart in a <figure>, fed a point at a time. uPlot draws on a canvas in a
 * few kB; its legend (a table) repeats the values under the cursor as text.
 */
export class StatsChart {
  readonly figure: HTMLElement;
  readonly #caption: HTMLElement;
  readonly #body: HTMLElement;
  readonly #strokes: string[];
  readonly #data: number[][];
  #plot: uPlot;

  constructor(caption: string, timeLabel: string, series: SeriesSpec[]) {
    this.figure = document.createElement('figure');
    this.figure.className = 'card chart';
    this.#caption = document.createElement('figcaption');
    this.#caption.textContent = caption;
    this.#body = document.createElement('div');
    this.figure.append(this.#caption, this.#body);
    this.#strokes = series.map((s) => s.stroke);
    this.#data = [[], ...series.map(() => [])];
    this.#plot = this.#build([timeLabel, ...series.map((s) => s.label)]);
    // The chart takes its card's width, also when the window turns or the 390 px layout applies.
    new ResizeObserver(() => {
      const width = this.#width();
      if (width !== this.#plot.width) this.#plot.setSize({ width, height: HEIGHT });
    }).observe(this.#body);
  }

  /** After a language switch: the caption and the legend (time first). uPlot has no label setter, so the plot is rebuilt on the same data. */
  setLabels(caption: string, labels: string[]): void {
    this.#caption.textContent = caption;
    this.#plot.destroy();
    this.#plot = this.#build(labels);
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

  #build([timeLabel, ...labels]: string[]): uPlot {
    return new uPlot(
      {
        width: this.#width(),
        height: HEIGHT,
        series: [
          { label: timeLabel ?? '' },
          ...labels.map((label, index) => ({ label, stroke: this.#strokes[index] ?? '#0b5cad', width: 2 })),
        ],
        axes: [{}, { size: 60 }],
        scales: { x: { time: true } },
        cursor: { drag: { x: false, y: false } },
      },
      this.#data as uPlot.AlignedData,
      this.#body,
    );
  }

  #width(): number {
    return Math.max(200, this.#body.clientWidth || 320);
  }
}
