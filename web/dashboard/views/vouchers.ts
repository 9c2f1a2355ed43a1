// Voucher batches: create a batch for a package, see how many are unused / in use / expired /
// revoked, download it as CSV, open the printable sheet (cut-out cards, in a new tab, printed from
// there), revoke what is still unused.
import { html, nothing } from 'lit';
import { ADMIN_BASE, get, listOf, post } from '../api.js';
import { t, when, statusWord } from '../i18n.js';
import type { BatchRow, PackageRow } from '../types.js';

interface VoucherRow {
  code: string;
  status: string;
  startsAt: string | null;
  expiresAt: string | null;
}
import { formValues, View } from '../view.js';

export class NfVouchers extends View {
  static override properties = { ...View.properties, batches: { state: true }, packages: { state: true }, codes: { state: true } };

  batches: BatchRow[] = [];
  packages: PackageRow[] = [];
  /** The batch whose codes the dialog lists. */
  codes: { batch: BatchRow; vouchers: VoucherRow[] } | null = null;

  async load() {
    const [batches, packages] = await Promise.all([get('/vouchers/batches'), get('/packages')]);
    this.batches = listOf<BatchRow>(batches, 'batches');
    this.packages = listOf<PackageRow>(packages, 'packages');
  }

  private async openCreate() {
    await this.updateComplete;
    this.fillForm('voucher-form', { count: '10', prefix: '', validDays: '' });
    this.openDialog('voucher-form');
  }

  private async create(event: SubmitEvent) {
    event.preventDefault();
    const v = formValues(event.target as HTMLFormElement);
    const body: Record<string, unknown> = { package: v.package, count: Number(v.count) };
    if (v.prefix) body.prefix = v.prefix;
    if (v.validDays) body.validDays = Number(v.validDays);
    let created: { batchId: number; codes: string[] } = { batchId: 0, codes: [] };
    const ok = await this.act(async () => {
      created = await post('/vouchers/batches', body);
    });
    if (ok) {
      this.closeDialog('voucher-form');
      await this.reload();
      this.notice = t('vouchers.created', { count: created.codes.length, id: created.batchId });
    }
  }

  private async showCodes(b: BatchRow) {
    const ok = await this.act(async () => {
      const body = await get<{ vouchers: VoucherRow[] }>(`/vouchers/batches/${b.id}`);
      this.codes = { batch: b, vouchers: body.vouchers };
    });
    if (ok) {
      await this.updateComplete;
      this.openDialog('codes');
    }
  }

  private async revokeCode(v: VoucherRow) {
    if (!confirm(t('vouchers.revokeCodeConfirm', { code: v.code }))) return;
    const batch = this.codes?.batch;
    const ok = await this.act(() => post(`/vouchers/${encodeURIComponent(v.code)}/revoke`, { reason: 'revoked from the dashboard' }));
    if (ok && batch) {
      const body = await get<{ vouchers: VoucherRow[] }>(`/vouchers/batches/${batch.id}`);
      this.codes = { batch, vouchers: body.vouchers };
      void this.load().catch(() => {});
    }
  }

  private async revoke(b: BatchRow) {
    if (!confirm(t('vouchers.revokeConfirm', { id: b.id }))) return;
    if (await this.act(() => post(`/vouchers/batches/${b.id}/revoke`, {}), t('common.saved'))) await this.reload();
  }

  override render() {
    const operator = this.can('operator');
    return html`<h1>${t('vouchers.title')}</h1>
      ${this.readOnlyNote('operator')}
      <div class="bar">
        <button class="primary" ?disabled=${!operator || this.packages.every((p) => !p.active)} @click=${this.openCreate}>
          ${t('vouchers.create')}
        </button>
        <span class="grow"></span>
        <button @click=${() => this.reload()}>${t('common.refresh')}</button>
      </div>
      ${this.messages()}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>${t('vouchers.batch')}</th>
              <th>${t('common.package')}</th>
              <th>${t('common.created')}</th>
              <th class="num">${t('vouchers.unused')}</th>
              <th class="num">${t('vouchers.inUse')}</th>
              <th class="num">${t('vouchers.expired')}</th>
              <th class="num">${t('vouchers.revoked')}</th>
              <th>${t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.batches.length === 0 ? html`<tr><td colspan="8" class="muted">${t('common.none')}</td></tr>` : nothing}
            ${this.batches.map(
              (b) => html`<tr data-batch=${b.id}>
                <td>#${b.id}${b.prefix ? html` <span class="mono">${b.prefix}</span>` : nothing}</td>
                <td>${b.package}</td>
                <td>${when(b.createdAt)}<div class="muted">${b.createdBy ?? ''}</div></td>
                <td class="num">${b.unused}</td>
                <td class="num">${b.inUse}</td>
                <td class="num">${b.expired}</td>
                <td class="num">${b.revoked}</td>
                <td>
                  <div class="row-actions">
                    ${
                      operator
                        ? html`<a class="button small" href="${ADMIN_BASE}/vouchers/batches/${b.id}/csv" download>${t('vouchers.csv')}</a>
                          <a class="button small" href="${ADMIN_BASE}/vouchers/batches/${b.id}/sheet" target="_blank" rel="noopener"
                            >${t('vouchers.print')}</a
                          >`
                        : nothing
                    }
                    ${operator ? html`<button class="small" @click=${() => this.showCodes(b)}>${t('vouchers.codes')}</button>` : nothing}
                    <button class="small danger" ?disabled=${!operator || b.unused === 0} @click=${() => this.revoke(b)}>
                      ${t('vouchers.revokeBatch')}
                    </button>
                  </div>
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>

      <dialog id="codes" aria-labelledby="codes-title">
        <h2 id="codes-title">${t('vouchers.codesOf', { id: this.codes?.batch.id ?? '', package: this.codes?.batch.package ?? '' })}</h2>
        ${this.error ? html`<p class="msg error" role="alert">${this.error}</p>` : nothing}
        <div class="table-wrap codes">
          <table>
            <thead>
              <tr>
                <th>${t('vouchers.code')}</th>
                <th>${t('common.status')}</th>
                <th>${t('vouchers.expires')}</th>
                <th>${t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              ${(this.codes?.vouchers ?? []).map(
                (v) => html`<tr>
                  <td class="mono">${v.code}</td>
                  <td>${statusWord(v.status)}</td>
                  <td>${when(v.expiresAt)}</td>
                  <td>
                    ${
                      v.status === 'unused' || v.status === 'in use'
                        ? html`<button class="small danger" @click=${() => this.revokeCode(v)} aria-label="${t('vouchers.revokeCode')} ${v.code}">
                          ${t('vouchers.revokeCode')}
                        </button>`
                        : nothing
                    }
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <div class="buttons"><button class="primary" @click=${() => this.closeDialog('codes')}>${t('common.close')}</button></div>
      </dialog>

      <dialog id="voucher-form" aria-labelledby="voucher-form-title">
        <form class="grid" @submit=${this.create}>
          <h2 id="voucher-form-title" class="full">${t('vouchers.create')}</h2>
          ${this.error ? html`<p class="msg error full" role="alert">${this.error}</p>` : nothing}
          <label class="full"
            >${t('common.package')}
            <select name="package" required>
              ${this.packages.filter((p) => p.active).map((p) => html`<option value=${p.name}>${p.name} (${p.price})</option>`)}
            </select></label
          >
          <label>${t('vouchers.count')}<input name="count" type="number" min="1" max="1000" required /></label>
          <label>${t('vouchers.prefix')}<input name="prefix" maxlength="8" /></label>
          <label>${t('vouchers.validDays')}<input name="validDays" type="number" min="1" /><span class="hint">${t('vouchers.validHint')}</span></label>
          <div class="buttons">
            <button type="button" @click=${() => this.closeDialog('voucher-form')}>${t('common.cancel')}</button>
            <button class="primary" type="submit">${t('common.save')}</button>
          </div>
        </form>
      </dialog>`;
  }
}

customElements.define('nf-vouchers', NfVouchers);
