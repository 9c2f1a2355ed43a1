// The sign-in screen: email and password, the server's answer in plain words (a wrong password and
// a throttled account read differently), and for a fresh install, how to create the first admin.
import { css, html, LitElement } from 'lit';
import { ApiError, get, type Me, post, setCsrfToken } from '../api.js';
import { onLangChange, t } from '../i18n.js';
import { viewStyles } from '../styles.js';
import { explain, formValues } from '../view.js';

export interface LoginAnswer {
  admin: Me;
  csrfToken: string;
}

export class NfLogin extends LitElement {
  static override styles = [
    viewStyles,
    css`
      :host {
        display: block;
        max-width: 26rem;
        margin: 8vh auto 0;
        padding: 0 var(--nf-space-4);
      }
      form {
        display: grid;
        gap: var(--nf-space-4);
        background: var(--nf-surface);
        padding: var(--nf-space-5);
        border-radius: var(--nf-radius);
        border: 1px solid #d5dae0;
      }
      .first-run {
        margin-top: var(--nf-space-5);
        font-size: var(--nf-text-sm);
      }
      .first-run code {
        display: block;
        margin: var(--nf-space-2) 0;
        padding: var(--nf-space-2);
        background: #eef1f4;
        border-radius: 6px;
        white-space: pre-wrap;
        word-break: break-all;
      }
    `,
  ];
  static override properties = { error: { state: true }, busy: { state: true }, setupNeeded: { state: true } };

  error = '';
  busy = false;
  /** No admin exists yet: the first one is created with the setup token NetFlow logged at start. */
  setupNeeded = false;
  private unsubscribe: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = onLangChange(() => this.requestUpdate());
    get<{ needed: boolean }>('/setup')
      .then((state) => (this.setupNeeded = state.needed))
      .catch(() => {});
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  private async submit(event: SubmitEvent) {
    event.preventDefault();
    const { email = '', password = '', token } = formValues(event.target as HTMLFormElement);
    this.busy = true;
    this.error = '';
    try {
      const answer = this.setupNeeded
        ? await post<LoginAnswer>('/setup', { token: token ?? '', email, password })
        : await post<LoginAnswer>('/login', { email, password });
      setCsrfToken(answer.csrfToken);
      this.dispatchEvent(new CustomEvent('signed-in', { detail: answer, bubbles: true, composed: true }));
    } catch (err) {
      const message = explain(err);
      this.error = err instanceof ApiError && err.status === 429 ? t('login.throttled', { message }) : t('login.failed', { message });
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`<main id="main">
      <form @submit=${this.submit} aria-labelledby="login-title" novalidate>
        <h1 id="login-title">${this.setupNeeded ? t('setup.title') : t('login.title')}</h1>
        ${this.setupNeeded ? html`<p class="msg info">${t('setup.intro')}</p>` : ''}
        ${this.error ? html`<p class="msg error" role="alert">${this.error}</p>` : ''}
        ${
          this.setupNeeded
            ? html`<label>${t('setup.token')}<input name="token" required autocomplete="off" spellcheck="false" /></label>`
            : ''
        }
        <label>${t('login.email')}<input name="email" type="email" autocomplete="username" required autofocus /></label>
        <label
          >${t('login.password')}<input
            name="password"
            type="password"
            autocomplete=${this.setupNeeded ? 'new-password' : 'current-password'}
            minlength=${this.setupNeeded ? 10 : 1}
            required
        /></label>
        <button class="primary" type="submit" ?disabled=${this.busy}>
          ${this.busy ? t('login.busy') : this.setupNeeded ? t('setup.submit') : t('login.submit')}
        </button>
      </form>
      <p class="first-run muted">
        ${this.setupNeeded ? t('setup.orCli') : t('login.firstRun')}
        <code>netflow admin create --email you@example.com --password 'a long passphrase' --role admin</code>
        ${t('login.firstRunAfter')}
      </p>
    </main>`;
  }
}

customElements.define('nf-login', NfLogin);
