// The audit log (append-only in the database): newest first, filtered by action prefix and actor,
// paged; each entry's details (before/after) shown as compact JSON.
import { html, nothing } from 'lit';
import { get, listOf, query } from '../api.js';
import { t, when } from '../i18n.js';
import type { AuditRow } from '../types.js';
import { formValues, View } from '../view.js';

const PAGE = 50;

export class NfAudit extends View {
  static override properties = { ...View.properties, entries: { state: true }, page: { state: true }, more: { state: true } };

  entries: AuditRow[] = [];
  page = 0;
  more = false;
  private filter: Record<string, string> = {};

  async load() {
    const body = await get<{ total?: number; nextCursor?: unknown }>(
      `/audit${query({ ...this.filter, limit: PAGE, offset: this.page * PAGE })}`,
    );
    this.entries = listOf<AuditRow>(body, 'entries');
    this.more = typeof body?.total === 'number' ? (this.page + 1) * PAGE < body.total : this.entries.length === PAGE;
  }

  private applyFilter(event: SubmitEvent) {
    event.preventDefault();
    this.filter = formValues(event.target as HTMLFormElement);
    this.page = 0;
    void this.reload();
  }

  private go(delta: number) {
    this.page = Math.max(0, this.page + delta);
    void this.reload();
  }

  override render() {
    return html`<h1>${t('audit.title')}</h1>
      <form class="bar" @submit=${this.applyFilter}>
        <label>${t('audit.actionFilter')}<input name="action" /></label>
        <label>${t('audit.actorFilter')}<input name="actor" /></label>
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
                <td class="mono details">${a.details ? JSON.stringify(a.details).slice(0, 160) : ''}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="pages">
        <button ?disabled=${this.page === 0} @click=${() => this.go(-1)}>${t('common.prev')}</button>
        <span>${t('common.page', { n: this.page + 1 })}</span>
        <button ?disabled=${!this.more} @click=${() => this.go(1)}>${t('common.next')}</button>
      </nav>`;
  }
}

customElements.define('nf-audit', NfAudit);
