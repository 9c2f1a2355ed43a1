// The overview: who is online now, what sold today, which routers are up or down, the latest
// alerts. Each figure is fetched on its own, so one that fails leaves the others standing.
import { html, nothing } from 'lit';
import { get, listOf, query } from '../api.js';
import { browserTimeZone, lang, number, t, when } from '../i18n.js';
import { money } from '../money.js';
import { routersWithHealth, routerState } from '../routers-up.js';
import type { AuditRow, RouterRow } from '../types.js';
import { explain, View } from '../view.js';

function today(): string {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

export class NfOverview extends View {
  static override properties = {
    ...View.properties,
    online: { state: true },
    revenue: { state: true },
    routers: { state: true },
    alerts: { state: true },
    problems: { state: true },
    toReview: { state: true },
    securityDay: { state: true },
  };

  toReview: number | null = null;
  securityDay: number | null = null;

  online: number | null = null;
  revenue: Map<string, number> | null = null;
  routers: RouterRow[] | null = null;
  alerts: AuditRow[] | null = null;
  problems: string[] = [];

  private timer: ReturnType<typeof setInterval> | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    // An at-a-glance page stays current on a wall screen: read again every 30 s.
    this.timer = setInterval(() => void this.load().catch(() => {}), 30_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer) clearInterval(this.timer);
  }

  async load() {
    const problems: string[] = [];
    const settle = async (work: () => Promise<void>) => {
      try {
        await work();
      } catch (err) {
        problems.push(explain(err));
      }
    };
    await Promise.all([
      settle(async () => {
        this.routers = await routersWithHealth();
      }),
      settle(async () => {
        const o = await get<{ onlineNow: number; paymentsNeedingReview: number; securityEventsLastDay: number }>('/overview');
        this.online = o.onlineNow;
        this.toReview = o.paymentsNeedingReview;
        this.securityDay = o.securityEventsLastDay;
      }),
      settle(async () => {
        const day = today();
        const body = await get<{ rows: { currency: string; amountMinor: number }[] }>(
          `/reports/revenue-by-router${query({ from: day, to: day, tz: browserTimeZone(), granularity: 'day' })}`,
        );
        const sums = new Map<string, number>();
        for (const row of body.rows) sums.set(row.currency, (sums.get(row.currency) ?? 0) + Number(row.amountMinor));
        this.revenue = sums;
      }),
      settle(async () => {
        this.alerts = listOf<AuditRow>(await get(`/security-events${query({ limit: 8 })}`), 'entries');
      }),
    ]);
    this.problems = [...new Set(problems)];
  }

  override render() {
    const locale = lang() === 'sw' ? 'sw-TZ' : 'en-GB';
    const now = Date.now();
    const active = (this.routers ?? []).filter((r) => r.status === 'active');
    const up = active.filter((r) => routerState(r, now) === 'up');
    const down = active.filter((r) => routerState(r, now) === 'down');
    const dash = '—';
    return html`<div class="bar">
        <h1 class="grow">${t('overview.title')}</h1>
        <button @click=${() => this.reload()}>${t('common.refresh')}</button>
      </div>
      ${this.problems.map((p) => html`<p class="msg error" role="alert">${p}</p>`)} ${this.loading && this.online === null ? this.messages() : nothing}
      <div class="cards">
        <div class="card" data-figure="online">
          <div class="label">${t('overview.online')}</div>
          <div class="figure">${this.online === null ? dash : number(this.online)}</div>
        </div>
        <div class="card" data-figure="revenue">
          <div class="label">${t('overview.revenueToday')}</div>
          ${
            this.revenue === null
              ? html`<div class="figure">${dash}</div>`
              : this.revenue.size === 0
                ? html`<div class="figure">0</div><div class="muted">${t('overview.noRevenue')}</div>`
                : [...this.revenue].map(([currency, minor]) => html`<div class="figure">${money(minor, currency, locale)}</div>`)
          }
        </div>
        <div class="card" data-figure="routers-up">
          <div class="label">${t('overview.routersUp')}</div>
          <div class="figure">${this.routers === null ? dash : up.length}</div>
        </div>
        <div class="card" data-figure="routers-down">
          <div class="label">${t('overview.routersDown')}</div>
          <div class="figure">${this.routers === null ? dash : down.length}</div>
          ${down.length ? html`<div class="muted">${down.map((r) => r.name).join(', ')}</div>` : nothing}
        </div>
        <a class="card link" data-figure="to-review" href="#/payments?review">
          <div class="label">${t('overview.toReview')}</div>
          <div class="figure">${this.toReview === null ? dash : number(this.toReview)}</div>
        </a>
        <a class="card link" data-figure="security" href="#/audit">
          <div class="label">${t('overview.securityDay')}</div>
          <div class="figure">${this.securityDay === null ? dash : number(this.securityDay)}</div>
        </a>
      </div>
      <h2>${t('overview.alerts')}</h2>
      ${
        !this.alerts || this.alerts.length === 0
          ? html`<p class="muted">${t('overview.noAlerts')}</p>`
          : html`<div class="table-wrap">
            <table>
              <tbody>
                ${this.alerts.map(
                  (a) =>
                    html`<tr>
                      <td>${when(a.at)}</td>
                      <td><span class="badge warn">${a.action}</span></td>
                      <td>${a.subject ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
      }`;
  }
}

customElements.define('nf-overview', NfOverview);
