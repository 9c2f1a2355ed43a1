// Mobile-money payments: filtered by status, provider and dates, with the ones held for review
// (money that arrived late or did not match) resolvable with a reason, which the audit log keeps.
import { html, nothing } from 'lit';
import { get, listOf, post, query } from '../api.js';
import { t, when, statusWord } from '../i18n.js';
import type { PaymentRow } from '../types.js';
import { formValues, View } from '../view.js';

const STATUSES = ['pending', 'paid', 'failed', 'expired'];
const PAGE = 50;

/** A day from a date field as the instant it starts (the browser's time zone), for from/to. */
function dayStart(day: string, plusDays = 0): string {
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
}

export class NfPayments extends View {
  static override properties = {
    ...View.properties,
    payments: { state: true },
    resolving: { state: true },
    total: { state: true },
    offset: { state: true },
  };

  payments: PaymentRow[] = [];
  resolving: PaymentRow | null = null;
  total = 0;
  offset = 0;
  // #/payments?review (the overview's "to review" card) opens on the payments held for review.
  private filter: Record<string, string | boolean> = new URLSearchParams(location.hash.split('?')[1] ?? '').has('review')
    ? { needsReview: true }
    : {};

  async load() {
    const body = await get<{ payments: PaymentRow[]; total: number }>(
      `/payments${query({ ...this.filter, limit: PAGE, offset: this.offset })}`,
    );
    this.payments = listOf<PaymentRow>(body, 'payments');
    this.total = body.total ?? this.payments.length;
  }

  private applyFilter(event: SubmitEvent) {
    event.preventDefault();
    const v = formValues(event.target as HTMLFormElement);
    const filter: Record<string, string | boolean> = {};
    if (v.status) filter.status = v.status;
    if (v.provider) filter.provider = v.provider;
    if (v.search) filter.search = v.search;
    if (v.needsReview) filter.needsReview = true;
    if (v.from) filter.from = dayStart(v.from);
    // "To" includes its whole day.
    if (v.to) filter.to = dayStart(v.to, 1);
    this.filter = filter;
    this.offset = 0;
    void this.reload();
  }

  private page(delta: number) {
    this.offset = Math.max(0, this.offset + delta * PAGE);
    void this.reload();
  }

  private async openResolve(p: PaymentRow) {
    this.resolving = p;
    await this.updateComplete;
    this.fillForm('resolve', { reason: '' });
    this.openDialog('resolve');
  }

  private async resolve(event: SubmitEvent) {
    event.preventDefault();
    const p = this.resolving;
    if (!p) return;
    const v = formValues(event.target as HTMLFormElement);
    const ok = await this.act(() => post(`/payments/${p.id}/resolve`, { reason: v.reason ?? '' }), t('common.saved'));
    if (ok) {
      this.closeDialog('resolve');
      await this.reload();
    }
  }

  override render() {
    const operator = this.can('operator');
    return html`<h1>${t('payments.title')}</h1>
      <form class="bar" @submit=${this.applyFilter} aria-label=${t('common.filter')}>
        <label
          >${t('common.status')}
          <select name="status">
            <option value="">${t('common.all')}</option>
            ${STATUSES.map((s) => html`<option value=${s}>${statusWord(s)}</option>`)}
          </select></label
        >
        <label>${t('payments.provider')}<input name="provider" size="10" /></label>
        <label>${t('payments.search')}<input name="search" size="12" /></label>
        <label>${t('common.from')}<input name="from" type="date" /></label>
        <label>${t('common.to')}<input name="to" type="date" /></label>
        <label class="check"><input type="checkbox" name="needsReview" value="1" .checked=${this.filter.needsReview === true} /> ${t('payments.onlyReview')}</label>
        <button type="submit">${t('common.filter')}</button>
      </form>
      ${this.messages()}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>${t('payments.reference')}</th>
              <th>${t('common.created')}</th>
              <th>${t('common.package')}</th>
              <th class="num">${t('payments.amount')}</th>
              <th>${t('payments.provider')}</th>
              <th>${t('payments.phone')}</th>
              <th>${t('common.status')}</th>
              <th>${t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.payments.length === 0 ? html`<tr><td colspan="8" class="muted">${t('common.none')}</td></tr>` : nothing}
            ${this.payments.map(
              (p) => html`<tr data-payment=${p.reference}>
                <td class="mono">${p.reference}</td>
                <td>${when(p.createdAt)}</td>
                <td>${p.package}</td>
                <td class="num">${p.amount}${p.testMoney ? html` <span class="badge">${t('payments.test')}</span>` : nothing}</td>
                <td>${p.provider}</td>
                <td class="mono">${p.phone}</td>
                <td>
                  <span class="badge ${p.status === 'paid' ? 'ok' : p.status === 'failed' ? 'bad' : ''}">${statusWord(p.status)}</span>
                  ${p.needsReview ? html`<span class="badge warn">${t('payments.review')}</span>` : nothing}
                  ${p.reviewedAt ? html`<div class="muted wrap">${t('payments.reviewed', { who: p.reviewedBy ?? '', note: p.reviewNote ?? '' })}</div>` : nothing}
                </td>
                <td>
                  ${
                    p.needsReview
                      ? html`<button class="small" ?disabled=${!operator} @click=${() => this.openResolve(p)}>${t('payments.resolve')}</button>`
                      : nothing
                  }
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label=${t('common.pages')}>
        <button ?disabled=${this.offset === 0} @click=${() => this.page(-1)}>${t('common.prev')}</button>
        <span>${t('common.range', { from: this.total ? this.offset + 1 : 0, to: this.offset + this.payments.length, total: this.total })}</span>
        <button ?disabled=${this.offset + PAGE >= this.total} @click=${() => this.page(1)}>${t('common.next')}</button>
      </nav>

      <dialog id="resolve" aria-labelledby="resolve-title">
        <form class="grid" @submit=${this.resolve}>
          <h2 id="resolve-title" class="full">${t('payments.resolveTitle', { ref: this.resolving?.reference ?? '' })}</h2>
          ${this.error ? html`<p class="msg error full" role="alert">${this.error}</p>` : nothing}
          <p class="full muted">${t('payments.resolveHint')}</p>
          <label class="full"
            >${t('common.reason')}<textarea name="reason" required minlength="3"></textarea><span class="hint">${t('payments.reasonHint')}</span></label
          >
          <div class="buttons">
            <button type="button" @click=${() => this.closeDialog('resolve')}>${t('common.cancel')}</button>
            <button class="primary" type="submit">${t('common.save')}</button>
          </div>
        </form>
      </dialog>`;
  }
}

customElements.define('nf-payments', NfPayments);
