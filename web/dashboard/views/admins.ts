// Dashboard accounts (admins only): list, add with a role, change a role, remove.
import { html, nothing } from 'lit';
import { get, listOf, patch, post, type Role } from '../api.js';
import { t, when } from '../i18n.js';
import type { AdminRow } from '../types.js';
import { formValues, View } from '../view.js';

const ROLES: Role[] = ['admin', 'operator', 'viewer'];

export class NfAdmins extends View {
  static override properties = { ...View.properties, admins: { state: true } };

  admins: AdminRow[] = [];

  async load() {
    this.admins = listOf<AdminRow>(await get('/admins'), 'admins');
  }

  private async openAdd() {
    await this.updateComplete;
    this.fillForm('admin-form', { email: '', password: '', role: 'operator' });
    this.openDialog('admin-form');
  }

  private async add(event: SubmitEvent) {
    event.preventDefault();
    const v = formValues(event.target as HTMLFormElement);
    if (await this.act(() => post('/admins', { email: v.email, password: v.password, role: v.role }), t('common.saved'))) {
      this.closeDialog('admin-form');
      await this.reload();
    }
  }

  private async setRole(a: AdminRow, role: string) {
    if (await this.act(() => patch(`/admins/${a.id}`, { role }), t('common.saved'))) await this.reload();
  }

  private async setDisabled(a: AdminRow, disabled: boolean) {
    if (disabled && !confirm(t('admins.disableConfirm', { email: a.email }))) return;
    if (await this.act(() => patch(`/admins/${a.id}`, { disabled }), t('common.saved'))) await this.reload();
  }

  private async resetPassword(a: AdminRow) {
    const password = prompt(t('admins.newPassword', { email: a.email }));
    if (!password) return;
    await this.act(() => post(`/admins/${a.id}/password`, { password }), t('admins.passwordSet'));
  }

  override render() {
    const admin = this.can('admin');
    return html`<h1>${t('admins.title')}</h1>
      <div class="bar">
        <button class="primary" ?disabled=${!admin} @click=${this.openAdd}>${t('admins.add')}</button>
      </div>
      ${this.messages()}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>${t('admins.email')}</th>
              <th>${t('admins.role')}</th>
              <th>${t('common.created')}</th>
              <th>${t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.admins.map((a) => {
              const self = a.id === this.me?.id;
              return html`<tr>
                <td>
                  ${a.email} ${self ? html`<span class="muted">${t('admins.you')}</span>` : nothing}
                  ${a.disabled ? html`<span class="badge warn">${t('admins.disabled')}</span>` : nothing}
                </td>
                <td>
                  <select aria-label="${t('admins.role')} ${a.email}" ?disabled=${!admin || self} @change=${(e: Event) => this.setRole(a, (e.target as HTMLSelectElement).value)}>
                    ${ROLES.map((r) => html`<option value=${r} ?selected=${r === a.role}>${t(`role.${r}`)}</option>`)}
                  </select>
                </td>
                <td>${when(a.createdAt)}</td>
                <td>
                  <div class="row-actions">
                    <button class="small" ?disabled=${!admin} @click=${() => this.resetPassword(a)}>${t('admins.resetPassword')}</button>
                    ${
                      a.disabled
                        ? html`<button class="small" ?disabled=${!admin || self} @click=${() => this.setDisabled(a, false)}>${t('common.enable')}</button>`
                        : html`<button class="small danger" ?disabled=${!admin || self} @click=${() => this.setDisabled(a, true)}>
                          ${t('common.disable')}
                        </button>`
                    }
                  </div>
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>

      <dialog id="admin-form" aria-labelledby="admin-form-title">
        <form class="grid" @submit=${this.add}>
          <h2 id="admin-form-title" class="full">${t('admins.add')}</h2>
          ${this.error ? html`<p class="msg error full" role="alert">${this.error}</p>` : nothing}
          <label class="full">${t('admins.email')}<input name="email" type="email" required autocomplete="off" /></label>
          <label
            >${t('admins.password')}<input name="password" type="password" minlength="10" required autocomplete="new-password" /><span class="hint"
              >${t('admins.passwordHint')}</span
            ></label
          >
          <label
            >${t('admins.role')}
            <select name="role">
              ${ROLES.map((r) => html`<option value=${r}>${t(`role.${r}`)}</option>`)}
            </select></label
          >
          <div class="buttons">
            <button type="button" @click=${() => this.closeDialog('admin-form')}>${t('common.cancel')}</button>
            <button class="primary" type="submit">${t('common.save')}</button>
          </div>
        </form>
      </dialog>`;
  }
}

customElements.define('nf-admins', NfAdmins);
