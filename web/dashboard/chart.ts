// A small stacked bar chart drawn as SVG (no charting library: a few hundred bytes instead of
// tens of kilobytes). Bars are periods, stacks are series; each bar has a <title> (hover and
// screen readers), and the chart carries a text summary, while the report's table beside it has
// every figure.
import { css, html, LitElement, nothing, svg } from 'lit';

export interface ChartSeries {
  label: string;
  color: string;
  values: number[];
}

export class NfBarChart extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    svg {
      width: 100%;
      height: auto;
      display: block;
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: var(--nf-space-3);
      font-size: var(--nf-text-sm);
      margin-top: var(--nf-space-2);
    }
    svg.swatch {
      display: inline-block;
      width: 12px;
      height: 12px;
      margin-right: 4px;
      vertical-align: -1px;
    }
    text {
      font: 11px var(--nf-font);
      fill: var(--nf-muted);
    }
  `;
  static override properties = {
    labels: { attribute: false },
    series: { attribute: false },
    summary: {},
    format: { attribute: false },
    width: { state: true },
  };

  labels: string[] = [];
  series: ChartSeries[] = [];
  summary = '';
  format: (n: number) => string = (n) => String(n);
  /** Drawn at the width it is shown at, so its text stays readable on a phone. */
  width = 640;
  private resize: ResizeObserver | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize = new ResizeObserver(([entry]) => {
      const w = Math.round(entry.contentRect.width);
      if (w > 0 && Math.abs(w - this.width) > 8) this.width = Math.max(260, w);
    });
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
  }

  override render() {
    const width = this.width;
    const height = width < 480 ? 200 : 240;
    const pad = { left: 56, right: 8, top: 10, bottom: 28 };
    const n = this.labels.length;
    const totals = this.labels.map((_, i) => this.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
    const max = niceMax(Math.max(0, ...totals));
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const slot = n ? plotW / n : plotW;
    const barW = Math.max(2, Math.min(40, slot * 0.7));
    const y = (v: number) => pad.top + plotH - (max ? (v / max) * plotH : 0);
    const ticks = [0, max / 2, max];
    // One axis label per ~48 px, so they never overlap.
    const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / 48))));
    return html`<svg viewBox="0 0 ${width} ${height}" role="img" aria-label=${this.summary}>
        ${ticks.map(
          (v) => svg`<line x1=${pad.left} x2=${width - pad.right} y1=${y(v)} y2=${y(v)} stroke="#d5dae0" />
            <text x=${pad.left - 6} y=${y(v) + 4} text-anchor="end">${this.format(v)}</text>`,
        )}
        ${this.labels.map((label, i) => {
          const x = pad.left + i * slot + (slot - barW) / 2;
          let base = 0;
          return svg`<g>
            ${this.series.map((s) => {
              const v = s.values[i] ?? 0;
              if (!v) return nothing;
              const top = y(base + v);
              const bottom = y(base);
              base += v;
              return svg`<rect x=${x} y=${top} width=${barW} height=${Math.max(0, bottom - top)} fill=${s.color}>
                <title>${label} · ${s.label}: ${this.format(v)}</title></rect>`;
            })}
            ${i % every === 0 ? svg`<text x=${x + barW / 2} y=${height - 8} text-anchor="middle">${label.slice(5)}</text>` : nothing}
          </g>`;
        })}
      </svg>
      <div class="legend">
        ${this.series.map(
          (s) => html`<span
              ><svg class="swatch" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" rx="2" fill=${s.color} /></svg>${s.label}</span
            >`,
        )}
      </div>`;
  }
}

/** A round axis top above the largest value (1, 2 or 5 times a power of ten). */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

customElements.define('nf-bar-chart', NfBarChart);
