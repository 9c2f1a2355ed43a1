// The audit log (append-only in the database): newest first, filtered by action prefix and actor,
// paged; each entry's details shown as what changed (field: before → after) where it has a
// before/after, else as compact JSON (the full details on hover).
import { html, nothing } from 'lit';
import { get, listOf, query } from '../api.js';
import { t, when } from '../i18n.js';
import type { AuditRow } from '../types.js';
import { formValues, View } from '../view.js';

const PAGE = 50;

const short = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? '—'));

/** "minutes: 60 → 90, price: 1000.00 TZS → 1500.00 TZS" from { before, after }; else compact JSON. */
export function summary(details: unknown): string {
  if (!details || typeof details !== 'object') return details === null || details === undefined ? '' : String(details);
  const { before, after } = details as { before?: Record<string, unknown>; after?: Record<string, unknown> };
  if (before && after && typeof before === 'object' && typeof after === 'object') {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const changed = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (changed.length)
      return changed
        .map((k) => `${k}: ${short(before[k])} → ${short(after[k])}`)
        .join(', ')
        .slice(0, 200);
  }
  return JSON.stringify(details).slice(0, 160);
}

export class NfAudit extends View {
  static override properties = { ...View.properties, entries: { state: true }, cursors: { state: true }, next: { state: true } };

  entries: AuditRow[] = [];
  /** The `before` cursor of each page seen so far (the first page has none): Previous pops one. */
  cursors: Array<string | undefined> = [undefined];
  next: string | null = null;
  private filter: Record<string, string> = {};

  async load() {
    const before = this.cursors[this.cursors.length - 1];
    const body = await get<{ entries: AuditRow[]; nextBefore: string | null }>(`/audit${query({ ...this.filter, before, limit: PAGE })}`);
    this.entries = listOf<AuditRow>(body, 'entries');
    this.next = body.nextBefore ?? null;
  }

  private applyFilter(event: SubmitEvent) {
    event.preventDefault();
    const v = formValues(event.target as HTMLFormElement);
    const filter: Record<string, string> = {};
    if (v.action) filter.action = v.action;
    if (v.actor) filter.actor = v.actor;
    if (v.subject) filter.subject = v.subject;
    if (v.from) filter.from = new Date(`${v.from}T00:00:00`).toISOString();
    this.filter = filter;
    this.cursors = [undefined];
    void this.reload();
  }

  private go(delta: number) {
    if (delta > 0 && this.next) this.cursors = [...this.cursors, this.next];
    if (delta < 0 && this.cursors.length > 1) this.cursors = this.cursors.slice(0, -1);
    void this.reload();
  }

  override render() {
    return html`<h1>${t('audit.title')}</h1>
      <form class="bar" @submit=${this.applyFilter}>
        <label>${t('audit.actionFilter')}<input name="action" /></label>
        <label>${t('audit.actorFilter')}<input name="actor" /></label>
        <label>${t('audit.subject')}<input name="subject" /></label>
        <label>${t('common.from')}<input name="from" type="date" /></label>
        <button type="submit">${t('common.filter')}</button>
      </form>
      ${this.messages()}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>${t('audit.when')}</th>
              <th>${t('audit.actor')}</th>
              <th>${t('audit.action')}</th>
              <th>${t('audit.subject')}</th>
              <th>${t('audit.details')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.entries.length === 0 ? html`<tr><td colspan="5" class="muted">${t('common.none')}</td></tr>` : nothing}
            ${this.entries.map(
              (a) => html`<tr>
                <td>${when(a.at)}</td>
                <td>${a.actor}</td>
                <td><span class="badge ${a.action.startsWith('alert.') || a.action.startsWith('security.') ? 'warn' : ''}">${a.action}</span></td>
                <td>${a.subject ?? ''}</td>
                <td class="mono details" title=${a.details ? JSON.stringify(a.details) : ''}>${summary(a.details)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label=${t('common.pages')}>
        <button ?disabled=${this.cursors.length === 1} @click=${() => this.go(-1)}>${t('common.prev')}</button>
        <span>${t('common.page', { n: this.cursors.length })}</span>
        <button ?disabled=${!this.next} @click=${() => this.go(1)}>${t('common.next')}</button>
      </nav>`;
  }
}

customElements.define('nf-audit', NfAudit);
