// Reports: pick one (GET /reports lists them), a date range and, for revenue, day/week/month;
// revenue reports are drawn as a stacked bar chart (mobile money and vouchers apart, per currency),
// every report is shown as a table and can be downloaded as CSV (the same query, ?format=csv).
import { html, nothing } from 'lit';
import { ADMIN_BASE, get, listOf, query } from '../api.js';
import type { ChartSeries } from '../chart.js';
import '../chart.js';
import { browserTimeZone, lang, type MessageKey, t } from '../i18n.js';
import { money } from '../money.js';
import { formValues, View } from '../view.js';

interface ReportInfo {
  name: string;
  title: string;
  description: string;
  options: string[];
  columns: string[];
}

interface ReportResult {
  report: string;
  params: { fromDate: string; toDate: string; granularity?: string };
  columns: string[];
  rows: Record<string, unknown>[];
}

interface RevenueRow {
  period: string;
  channel: 'mobile_money' | 'voucher';
  currency: string;
  amountMinor: number;
}

const COLORS = { mobile_money: '#0b5c8e', voucher: '#c2410c' };

function isoDay(d: Date): string {
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

/** Amounts in minor units are shown in major units with their currency; the CSV keeps them raw. */
function cell(column: string, row: Record<string, unknown>): string {
  const value = row[column];
  if (/Minor$/.test(column) && typeof row.currency === 'string' && value !== null && value !== undefined) {
    return money(Number(value), row.currency, lang() === 'sw' ? 'sw-TZ' : 'en-GB');
  }
  if (column === 'channel' && (value === 'mobile_money' || value === 'voucher'))
    return t(value === 'voucher' ? 'reports.voucher' : 'reports.mobile');
  return value === null || value === undefined ? '' : String(value);
}

const COLUMN_LABELS: Record<string, MessageKey> = {
  period: 'reports.col.period',
  router: 'common.router',
  package: 'common.package',
  channel: 'reports.col.channel',
  currency: 'packages.currency',
  sales: 'reports.col.sales',
  amountMinor: 'payments.amount',
};

/** A column's heading: ours where we have one, else the report's own name for it. */
function heading(column: string): string {
  const key = COLUMN_LABELS[column];
  return key ? t(key) : column;
}

/** Internal ids are for scripts (CSV); people read the names beside them. */
const shownColumns = (columns: string[]) => columns.filter((c) => !/^(routerId|packageId)$/.test(c));

/** Every period of the range (day, week from Monday, month), so days without sales show as gaps. */
export function periodsOf(fromDate: string, toDate: string, granularity: string): string[] {
  const d = new Date(`${fromDate}T00:00:00Z`);
  if (granularity === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (granularity === 'month') d.setUTCDate(1);
  const out: string[] = [];
  while (out.length < 800) {
    const day = d.toISOString().slice(0, 10);
    if (day > toDate) break;
    out.push(day);
    if (granularity === 'week') d.setUTCDate(d.getUTCDate() + 7);
    else if (granularity === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
    else d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

export class NfReports extends View {
  static override properties = { ...View.properties, reports: { state: true }, result: { state: true }, params: { state: true } };

  reports: ReportInfo[] = [];
  result: ReportResult | null = null;
  params: Record<string, string> = {
    name: 'revenue-by-router',
    from: isoDay(new Date(Date.now() - 13 * 86_400_000)),
    to: isoDay(new Date()),
    granularity: 'day',
  };

  async load() {
    if (!this.reports.length) this.reports = listOf<ReportInfo>(await get('/reports'), 'reports');
    if (!this.reports.some((r) => r.name === this.params.name) && this.reports[0])
      this.params = { ...this.params, name: this.reports[0].name };
    const { name, ...rest } = this.params;
    this.result = await get<ReportResult>(`/reports/${encodeURIComponent(name)}${query(this.queryFor(name, rest))}`);
  }

  private queryFor(name: string, rest: Record<string, string>): Record<string, string> {
    const info = this.reports.find((r) => r.name === name);
    // Days as the operator's browser counts them (the dates in the form are its dates).
    const q: Record<string, string> = { from: rest.from, to: rest.to };
    const tz = browserTimeZone();
    if (tz) q.tz = tz;
    if (info?.options.includes('granularity')) q.granularity = rest.granularity;
    return q;
  }

  private show(event: SubmitEvent) {
    event.preventDefault();
    this.params = { ...this.params, ...formValues(event.target as HTMLFormElement) };
    void this.reload();
  }

  private chart() {
    const r = this.result;
    if (!r?.report.startsWith('revenue')) return nothing;
    const rows = r.rows as unknown as RevenueRow[];
    const granularity = r.params.granularity ?? 'day';
    const currencies = [...new Set(rows.map((row) => row.currency))];
    if (currencies.length === 0) return html`<p class="muted" data-chart="empty">${t('reports.chartEmpty')}</p>`;
    const locale = lang() === 'sw' ? 'sw-TZ' : 'en-GB';
    return currencies.map((currency) => {
      const mine = rows.filter((row) => row.currency === currency);
      const periods = [
        ...new Set([...periodsOf(r.params.fromDate, r.params.toDate, granularity), ...mine.map((row) => row.period)]),
      ].sort();
      const series: ChartSeries[] = (['mobile_money', 'voucher'] as const).map((channel) => ({
        label: channel === 'mobile_money' ? t('reports.mobile') : t('reports.voucher'),
        color: COLORS[channel],
        values: periods.map((p) =>
          mine.filter((row) => row.period === p && row.channel === channel).reduce((sum, row) => sum + Number(row.amountMinor), 0),
        ),
      }));
      const total = series.reduce((sum, s) => sum + s.values.reduce((a, b) => a + b, 0), 0);
      const title = t('reports.chart', { granularity: t(`reports.${granularity as 'day' | 'week' | 'month'}`), currency });
      return html`<figure class="card" data-chart=${currency}>
        <figcaption><strong>${title}</strong> · ${t('reports.total')}: ${money(total, currency, locale)}</figcaption>
        <nf-bar-chart
          .labels=${periods}
          .series=${series}
          .format=${(n: number) => money(n, currency, locale).replace(` ${currency}`, '')}
          summary="${title}: ${t('reports.total')} ${money(total, currency, locale)}"
        ></nf-bar-chart>
      </figure>`;
    });
  }

  override render() {
    const r = this.result;
    const info = this.reports.find((x) => x.name === this.params.name);
    const { name, ...rest } = this.params;
    const csv = `${ADMIN_BASE}/reports/${encodeURIComponent(name)}${query({ ...this.queryFor(name, rest), format: 'csv' })}`;
    return html`<h1>${t('reports.title')}</h1>
      <form class="bar" @submit=${this.show}>
        <label
          >${t('reports.report')}
          <select name="name">
            ${this.reports.map((x) => html`<option value=${x.name} ?selected=${x.name === this.params.name}>${x.title}</option>`)}
          </select></label
        >
        <label>${t('common.from')}<input name="from" type="date" .value=${this.params.from} /></label>
        <label>${t('common.to')}<input name="to" type="date" .value=${this.params.to} /></label>
        <label
          >${t('reports.granularity')}
          <select name="granularity">
            ${(['day', 'week', 'month'] as const).map((g) => html`<option value=${g} ?selected=${g === this.params.granularity}>${t(`reports.${g}`)}</option>`)}
          </select></label
        >
        <button class="primary" type="submit">${t('reports.show')}</button>
        <a class="button" href=${csv} download>${t('reports.csv')}</a>
      </form>
      ${info ? html`<p class="muted">${info.description}</p>` : nothing} ${this.messages()} ${this.chart()}
      ${
        r
          ? html`<h2>${t('reports.rows')} (${r.rows.length})</h2>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    ${shownColumns(r.columns).map((c) => html`<th scope="col">${heading(c)}</th>`)}
                  </tr>
                </thead>
                <tbody>
                  ${r.rows.length === 0 ? html`<tr><td colspan=${shownColumns(r.columns).length} class="muted">${t('common.none')}</td></tr>` : nothing}
                  ${r.rows.slice(0, 500).map(
                    (row) =>
                      html`<tr>
                        ${shownColumns(r.columns).map((c) => html`<td class=${typeof row[c] === 'number' ? 'num' : ''}>${cell(c, row)}</td>`)}
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
          : nothing
      }`;
  }
}

customElements.define('nf-reports', NfReports);
