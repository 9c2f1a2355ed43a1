// Packages guests buy or get as vouchers: add, edit, disable (a disabled package is no longer
// sold; codes already sold keep working).
import { html, nothing } from 'lit';
import { get, listOf, patch, post } from '../api.js';
import { t } from '../i18n.js';
import type { PackageRow } from '../types.js';
import { formValues, View } from '../view.js';

export class NfPackages extends View {
  static override properties = { ...View.properties, packages: { state: true }, editing: { state: true } };

  packages: PackageRow[] = [];
  editing: PackageRow | null = null;

  async load() {
    this.packages = listOf<PackageRow>(await get('/packages'), 'packages');
  }

  private async openForm(p: PackageRow | null) {
    this.editing = p;
    await this.updateComplete;
    this.fillForm('package-form', {
      name: p?.name ?? '',
      minutes: String(p?.minutes ?? 60),
      price: p ? p.price.split(' ')[0] : '',
      currency: p?.currency ?? 'TZS',
      rateLimit: p?.rateLimit ?? '2M/5M',
      dataMb: p?.dataCapBytes ? String(Number(p.dataCapBytes) / 1_000_000) : '',
      devices: String(p?.devices ?? 1),
    });
    this.openDialog('package-form');
  }

  private async save(event: SubmitEvent) {
    event.preventDefault();
    const v = formValues(event.target as HTMLFormElement);
    const body: Record<string, unknown> = {
      name: v.name,
      minutes: Number(v.minutes),
      price: v.price,
      currency: v.currency,
      rateLimit: v.rateLimit,
      devices: Number(v.devices ?? 1),
    };
    const editing = this.editing;
    // Editing: an emptied data cap removes the cap.
    if (v.dataMb) body.dataMb = v.dataMb;
    else if (editing) body.dataMb = null;
    const ok = await this.act(() => (editing ? patch(`/packages/${editing.id}`, body) : post('/packages', body)), t('common.saved'));
    if (ok) {
      this.closeDialog('package-form');
      await this.reload();
    }
  }

  private async setActive(p: PackageRow, active: boolean) {
    if (await this.act(() => patch(`/packages/${p.id}`, { active }), t('common.saved'))) await this.reload();
  }

  override render() {
    const admin = this.can('admin');
    const e = this.editing;
    return html`<h1>${t('packages.title')}</h1>
      ${this.readOnlyNote('admin')}
      <div class="bar">
        <button class="primary" ?disabled=${!admin} @click=${() => this.openForm(null)}>${t('packages.add')}</button>
        <span class="grow"></span>
        <button @click=${() => this.reload()}>${t('common.refresh')}</button>
      </div>
      ${this.messages()}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>${t('common.name')}</th>
              <th class="num">${t('packages.minutes')}</th>
              <th class="num">${t('packages.price')}</th>
              <th>${t('packages.rate')}</th>
              <th class="num">${t('packages.dataMb')}</th>
              <th class="num">${t('packages.devices')}</th>
              <th>${t('common.status')}</th>
              <th>${t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.packages.length === 0 ? html`<tr><td colspan="8" class="muted">${t('common.none')}</td></tr>` : nothing}
            ${this.packages.map(
              (p) => html`<tr data-package=${p.name}>
                <td>${p.name}</td>
                <td class="num">${p.minutes}</td>
                <td class="num">${p.price}</td>
                <td class="mono">${p.rateLimit}</td>
                <td class="num">${p.dataCapBytes ? Number(p.dataCapBytes) / 1_000_000 : '—'}</td>
                <td class="num">${p.devices}</td>
                <td><span class="badge ${p.active ? 'ok' : 'warn'}">${p.active ? t('packages.active') : t('packages.inactive')}</span></td>
                <td>
                  <div class="row-actions">
                    <button class="small" ?disabled=${!admin} @click=${() => this.openForm(p)} aria-label="${t('common.edit')} ${p.name}">
                      ${t('common.edit')}
                    </button>
                    ${
                      p.active
                        ? html`<button class="small danger" ?disabled=${!admin} @click=${() => this.setActive(p, false)}>${t('common.disable')}</button>`
                        : html`<button class="small" ?disabled=${!admin} @click=${() => this.setActive(p, true)}>${t('common.enable')}</button>`
                    }
                  </div>
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>

      <dialog id="package-form" aria-labelledby="package-form-title">
        <form class="grid" @submit=${this.save}>
          <h2 id="package-form-title" class="full">${e ? t('packages.edit', { name: e.name }) : t('packages.add')}</h2>
          ${this.error ? html`<p class="msg error full" role="alert">${this.error}</p>` : nothing}
          <label>${t('common.name')}<input name="name" required /></label>
          <label>${t('packages.minutes')}<input name="minutes" type="number" min="1" required /></label>
          <label>${t('packages.price')}<input name="price" inputmode="decimal" required /></label>
          <label>${t('packages.currency')}<input name="currency" required maxlength="3" /></label>
          <label>${t('packages.rate')}<input name="rateLimit" required /><span class="hint">${t('packages.rateHint')}</span></label>
          <label>${t('packages.dataMb')}<input name="dataMb" inputmode="decimal" /><span class="hint">${t('packages.dataHint')}</span></label>
          <label>${t('packages.devices')}<input name="devices" type="number" min="1" max="20" /></label>
          <div class="buttons">
            <button type="button" @click=${() => this.closeDialog('package-form')}>${t('common.cancel')}</button>
            <button class="primary" type="submit">${t('common.save')}</button>
          </div>
        </form>
      </dialog>`;
  }
}

customElements.define('nf-packages', NfPackages);
