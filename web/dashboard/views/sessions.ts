// Live sessions: the open sessions, kept current by the server-sent event stream
// (GET /sessions/events): any event makes the list reload (coalesced), so a guest who signs in on a
// router appears without a page reload and an ended session leaves. Operators can end a session
// (NetFlow sends the router a Disconnect) or move it to another package (a CoA).
import { html, nothing } from 'lit';
import { ADMIN_BASE, get, listOf, post, query } from '../api.js';
import { t, when, statusWord } from '../i18n.js';
import type { PackageRow, SessionRow } from '../types.js';
import { bytes, duration, formValues, View } from '../view.js';

/** What NetFlow queued for the router (Disconnect or CoA) and what the router answered so far. */
interface EnforcementAnswer {
  actions: Array<{ kind: string; status: string; errorCause: number | null; lastError: string | null }>;
}

/** The router's answer in words; a refusal is thrown so it shows as an error. */
function routerAnswer(answer: EnforcementAnswer, what: 'end' | 'change'): string {
  const refused = answer.actions.find((a) => a.status === 'nakked' || a.status === 'failed');
  if (refused) throw new Error(t('sessions.routerRefused', { why: refused.lastError ?? `Error-Cause ${refused.errorCause ?? '?'}` }));
  if (answer.actions.length > 0 && answer.actions.every((a) => a.status === 'acked' || a.status === 'obsolete'))
    return t(what === 'end' ? 'sessions.endAcked' : 'sessions.changeAcked');
  return t('sessions.pending');
}

export class NfSessions extends View {
  static override properties = {
    ...View.properties,
    sessions: { state: true },
    packages: { state: true },
    live: { state: true },
    showClosed: { state: true },
    changing: { state: true },
    ending: { state: true },
  };

  sessions: SessionRow[] = [];
  packages: PackageRow[] = [];
  live = false;
  showClosed = false;
  changing: SessionRow | null = null;
  ending = new Set<string>();
  private events: EventSource | null = null;
  private filter: Record<string, string> = {};
  private routers: string[] = [];
  private pending: ReturnType<typeof setTimeout> | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.listen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.events?.close();
    this.events = null;
    if (this.pending) clearTimeout(this.pending);
  }

  private listen() {
    // EventSource reconnects by itself after a drop; `live` says whether it is connected now.
    const events = new EventSource(`${ADMIN_BASE}/sessions/events`, { withCredentials: true });
    this.events = events;
    events.onopen = () => {
      this.live = true;
      // Whatever happened while the stream was down is in a fresh list.
      this.soon();
    };
    events.onerror = () => {
      this.live = false;
    };
    // event: sessions, data {kind: open|close|update, ids}: whichever, the list is read again.
    events.addEventListener('sessions', () => this.soon());
    // event: end: this sign-in is over (logout, expiry, role change); the stream will not resume.
    events.addEventListener('end', () => {
      events.close();
      this.live = false;
      this.dispatchEvent(new CustomEvent('signed-out', { bubbles: true, composed: true }));
    });
  }

  /** Reloads shortly, once for a burst of events. */
  private soon() {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      void this.load().catch(() => {});
    }, 150);
  }

  async load() {
    const [sessions, packages] = await Promise.all([
      get(`/sessions${query({ ...this.filter, status: this.showClosed ? undefined : 'open', limit: 500 })}`),
      this.packages.length ? Promise.resolve(this.packages) : get('/packages').catch(() => []),
    ]);
    const list = listOf<SessionRow>(sessions, 'sessions');
    this.sessions = this.showClosed ? list : list.filter((s) => s.status === 'open');
    this.packages = listOf<PackageRow>(packages, 'packages');
    if (!this.routers.length) this.routers = [...new Set(this.sessions.map((x) => x.router))].sort();
  }

  private async end(s: SessionRow) {
    const user = s.code ?? s.userName;
    if (!confirm(t('sessions.endConfirm', { user }))) return;
    const id = String(s.id);
    this.ending = new Set([...this.ending, id]);
    const ok = await this.act(async () => {
      this.notice = routerAnswer(await post<EnforcementAnswer>(`/sessions/${id}/end`, {}), 'end');
    });
    this.ending = new Set([...this.ending].filter((x) => x !== id));
    if (ok) this.soon();
  }

  private async openChange(s: SessionRow) {
    this.changing = s;
    await this.updateComplete;
    this.fillForm('change-package', { package: '' });
    this.openDialog('change-package');
  }

  private async change(event: SubmitEvent) {
    event.preventDefault();
    const s = this.changing;
    if (!s) return;
    const v = formValues(event.target as HTMLFormElement);
    const ok = await this.act(async () => {
      this.notice = routerAnswer(await post<EnforcementAnswer>(`/sessions/${s.id}/package`, { package: v.package }), 'change');
    });
    if (ok) {
      this.closeDialog('change-package');
      this.soon();
    }
  }

  private applyFilter(event: SubmitEvent) {
    event.preventDefault();
    this.filter = formValues(event.target as HTMLFormElement);
    void this.reload();
  }

  private toggleClosed(e: Event) {
    this.showClosed = (e.target as HTMLInputElement).checked;
    void this.reload();
  }

  override render() {
    const operator = this.can('operator');
    return html`<h1>${t('sessions.title')}</h1>
      ${this.readOnlyNote('operator')}
      <div class="bar">
        <p class="msg ${this.live ? 'ok' : 'info'} grow flat" role="status" data-live=${this.live ? 'yes' : 'no'}>
          ${this.live ? t('sessions.live') : t('sessions.reconnecting')}
        </p>
        <label class="check"><input type="checkbox" .checked=${this.showClosed} @change=${this.toggleClosed} /> ${t('sessions.showClosed')}</label>
        <button @click=${() => this.reload()}>${t('common.refresh')}</button>
      </div>
      <form class="bar" @submit=${this.applyFilter} aria-label=${t('common.filter')}>
        <label>${t('common.router')}<input name="router" list="session-routers" size="12" /></label>
        <datalist id="session-routers">${this.routers.map((r) => html`<option value=${r}></option>`)}</datalist>
        <label>${t('sessions.search')}<input name="search" type="search" size="16" /></label>
        <button type="submit">${t('common.filter')}</button>
      </form>
      ${this.messages()}
      <p class="sr-only" aria-live="polite">${t('sessions.count', { n: this.sessions.length })}</p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>${t('sessions.user')}</th>
              <th>${t('common.router')}</th>
              <th>${t('sessions.device')}</th>
              <th>${t('sessions.started')}</th>
              <th class="num">${t('sessions.duration')}</th>
              <th class="num">${t('sessions.usage')}</th>
              <th>${t('common.status')}</th>
              <th>${t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.sessions.length === 0 ? html`<tr><td colspan="8" class="muted">${t('common.none')}</td></tr>` : nothing}
            ${this.sessions.map((s) => {
              const open = s.status === 'open';
              const busy = this.ending.has(String(s.id));
              return html`<tr data-session=${String(s.id)} data-user=${s.code ?? s.userName} data-status=${s.status}>
                <td class="mono">${s.code ?? s.userName}</td>
                <td>${s.router}</td>
                <td class="mono">${s.mac ?? ''}<div class="muted">${s.framedIp ?? ''}</div></td>
                <td>${when(s.startedAt)}</td>
                <td class="num">${duration(s.sessionTime)}</td>
                <td class="num">${bytes(s.bytesUp)} / ${bytes(s.bytesDown)}</td>
                <td><span class="badge ${open ? 'ok' : ''}">${open ? t('sessions.open') : s.status === 'closed' ? t('sessions.ended') : statusWord(s.status)}</span></td>
                <td>
                  ${
                    open
                      ? html`<div class="row-actions">
                        <button class="small danger" ?disabled=${!operator || busy} @click=${() => this.end(s)}
                          aria-label="${t('sessions.end')} ${s.code ?? s.userName}">
                          ${busy ? t('sessions.ending') : t('sessions.end')}
                        </button>
                        <button class="small" ?disabled=${!operator || !s.code} @click=${() => this.openChange(s)}>${t('sessions.changePackage')}</button>
                      </div>`
                      : nothing
                  }
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>

      <dialog id="change-package" aria-labelledby="change-title">
        <form class="grid" @submit=${this.change}>
          <h2 id="change-title" class="full">${t('sessions.changeTo', { user: this.changing?.code ?? this.changing?.userName ?? '' })}</h2>
          ${this.error ? html`<p class="msg error full" role="alert">${this.error}</p>` : nothing}
          <label class="full"
            >${t('common.package')}
            <select name="package" required>
              <option value=""></option>
              ${this.packages.filter((p) => p.active).map((p) => html`<option value=${p.name}>${p.name} (${p.price})</option>`)}
            </select></label
          >
          <div class="buttons">
            <button type="button" @click=${() => this.closeDialog('change-package')}>${t('common.cancel')}</button>
            <button class="primary" type="submit">${t('common.save')}</button>
          </div>
        </form>
      </dialog>`;
  }
}

customElements.define('nf-sessions', NfSessions);
