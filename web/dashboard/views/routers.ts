// Routers: the list with status and health, add, edit, disable/enable, and secret rotation (the new
// secret is shown once, in a dialog, and never again: the list only ever has it masked).
import { html, nothing } from 'lit';
import { ADMIN_BASE, patch, post } from '../api.js';
import { t, when } from '../i18n.js';
import type { RouterRow } from '../types.js';
import { routersWithHealth, routerState } from '../routers-up.js';
import { formValues, View } from '../view.js';

export class NfRouters extends View {
  static override properties = { ...View.properties, routers: { state: true }, editing: { state: true }, secret: { state: true } };

  routers: RouterRow[] = [];
  editing: RouterRow | null = null;
  secret: { name: string; secret: string } | null = null;

  async load() {
    this.routers = await routersWithHealth();
  }

  private async openForm(router: RouterRow | null) {
    this.editing = router;
    await this.updateComplete;
    this.fillForm('router-form', {
      name: router?.name ?? '',
      ip: router?.ip ?? '',
      location: router?.location ?? '',
      coaPort: String(router?.coaPort ?? 3799),
      secret: '',
    });
    this.openDialog('router-form');
  }

  private async save(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const v = formValues(form);
    const body: Record<string, unknown> = { name: v.name, ip: v.ip, location: v.location ?? '' };
    if (v.coaPort) body.coaPort = Number(v.coaPort);
    const editing = this.editing;
    const ok = await this.act(async () => {
      if (editing) {
        await patch(`/routers/${editing.id}`, body);
      } else {
        if (v.secret) body.secret = v.secret;
        // The answer carries the secret (the one given, or a generated one) this once.
        const created = await post<{ router: RouterRow; secret: string }>('/routers', body);
        this.secret = { name: created.router.name, secret: created.secret };
      }
    }, t('common.saved'));
    if (ok) {
      this.closeDialog('router-form');
      await this.reload();
      if (this.secret) this.updateComplete.then(() => this.openDialog('secret-once'));
    }
  }

  private async setStatus(router: RouterRow, status: 'active' | 'disabled') {
    if (status === 'disabled' && !confirm(t('routers.disableConfirm', { name: router.name }))) return;
    if (await this.act(() => patch(`/routers/${router.id}`, { status }), t('common.saved'))) await this.reload();
  }

  private async rotate(router: RouterRow) {
    if (!confirm(t('routers.rotateConfirm', { name: router.name }))) return;
    const ok = await this.act(async () => {
      const answer = await post<{ secret: string }>(`/routers/${router.id}/rotate-secret`, {});
      this.secret = { name: router.name, secret: answer.secret };
    });
    if (ok) {
      await this.reload();
      await this.updateComplete;
      this.openDialog('secret-once');
    }
  }

  /** The router's RouterOS setup script (netflow router script) as a file; it holds the secret. */
  private async downloadScript(router: RouterRow) {
    await this.act(async () => {
      const res = await fetch(`${ADMIN_BASE}/routers/${router.id}/script`, { credentials: 'same-origin' });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { message?: string };
        throw new Error(body.message ?? `${res.status} ${res.statusText}`);
      }
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `netflow-${router.name.replace(/[^A-Za-z0-9._-]+/g, '_')}.rsc`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }, t('routers.scriptDone'));
  }

  private health(r: RouterRow) {
    const h = r.health;
    const badge =
      r.status !== 'active'
        ? html`<span class="badge warn">${t('routers.disabled')}</span>`
        : routerState(r) === 'up'
          ? html`<span class="badge ok">${t('routers.up')}</span>`
          : routerState(r) === 'down'
            ? html`<span class="badge bad">${t('routers.down')}</span>`
            : html`<span class="badge">${t('routers.unknown')}</span>`;
    return html`${badge}
    ${h?.drift?.length ? html` <span class="badge warn" title=${h.drift.join('\n')}>${t('routers.drift', { n: h.drift.length })}</span>` : nothing}
    <div class="muted">${h?.api ? t('routers.api', { api: h.api }) : t('routers.radiusOnly')}</div>
    ${h?.error ? html`<div class="muted">${h.error}</div>` : nothing}`;
  }

  override render() {
    const admin = this.can('admin');
    const e = this.editing;
    return html`<h1>${t('routers.title')}</h1>
      ${this.readOnlyNote('admin')}
      <div class="bar">
        <button class="primary" ?disabled=${!admin} @click=${() => this.openForm(null)}>${t('routers.add')}</button>
        <span class="grow"></span>
        <button @click=${() => this.reload()}>${t('common.refresh')}</button>
      </div>
      ${this.messages()}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>${t('common.name')}</th>
              <th>${t('routers.ip')}</th>
              <th>${t('routers.health')}</th>
              <th>${t('routers.lastSeen')}</th>
              <th class="num">${t('routers.online')}</th>
              <th>${t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.routers.length === 0 ? html`<tr><td colspan="6" class="muted">${t('common.none')}</td></tr>` : nothing}
            ${this.routers.map(
              (r) => html`<tr data-router=${r.name}>
                <td>${r.name}${r.location ? html`<div class="muted">${r.location}</div>` : nothing}</td>
                <td class="mono">${r.ip}<div class="muted" title=${t('routers.secret')}>${t('routers.secretShort')} ${r.secretMasked}</div></td>
                <td>${this.health(r)}</td>
                <td>${r.lastSeenAt ? when(r.lastSeenAt) : t('routers.never')}</td>
                <td class="num">${r.openSessions ?? 0}</td>
                <td>
                  <div class="row-actions">
                    <button class="small" ?disabled=${!admin} @click=${() => this.openForm(r)} aria-label="${t('common.edit')} ${r.name}">
                      ${t('common.edit')}
                    </button>
                    <button class="small" ?disabled=${!admin} @click=${() => this.rotate(r)} aria-label="${t('routers.rotate')} ${r.name}">
                      ${t('routers.rotate')}
                    </button>
                    <button class="small" ?disabled=${!admin} @click=${() => this.downloadScript(r)} aria-label="${t('routers.script')} ${r.name}">
                      ${t('routers.script')}
                    </button>
                    ${
                      r.status === 'active'
                        ? html`<button class="small danger" ?disabled=${!admin} @click=${() => this.setStatus(r, 'disabled')}>${t('common.disable')}</button>`
                        : html`<button class="small" ?disabled=${!admin} @click=${() => this.setStatus(r, 'active')}>${t('common.enable')}</button>`
                    }
                  </div>
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>

      <dialog id="router-form" aria-labelledby="router-form-title">
        <form class="grid" @submit=${this.save}>
          <h2 id="router-form-title" class="full">${e ? t('routers.edit', { name: e.name }) : t('routers.add')}</h2>
          ${this.error ? html`<p class="msg error full" role="alert">${this.error}</p>` : nothing}
          <label>${t('common.name')}<input name="name" required /></label>
          <label>${t('routers.ip')}<input name="ip" required inputmode="decimal" /></label>
          <label>${t('routers.location')}<input name="location" /></label>
          <label>${t('routers.coaPort')}<input name="coaPort" type="number" min="1" max="65535" /></label>
          ${
            e
              ? nothing
              : html`<label class="full"
                >${t('routers.secret')}<input name="secret" type="password" autocomplete="new-password" minlength="16" />
                <span class="hint">${t('routers.secretHint')}</span></label
              >`
          }
          <div class="buttons">
            <button type="button" @click=${() => this.closeDialog('router-form')}>${t('common.cancel')}</button>
            <button class="primary" type="submit">${t('common.save')}</button>
          </div>
        </form>
      </dialog>

      <dialog id="secret-once" aria-labelledby="secret-title" @close=${() => (this.secret = null)}>
        <h2 id="secret-title">${t('routers.secret')}: ${this.secret?.name ?? ''}</h2>
        <p>${t('routers.secretOnce', { name: this.secret?.name ?? '' })}</p>
        <p class="secret" data-testid="new-secret">${this.secret?.secret ?? ''}</p>
        <div class="buttons"><button class="primary" @click=${() => this.closeDialog('secret-once')}>${t('common.close')}</button></div>
      </dialog>`;
  }
}

customElements.define('nf-routers', NfRouters);
