// The dashboard's shell: asks GET /me whether a session exists (else shows the sign-in screen),
// then a header (who is signed in, language switch, sign out), the section navigation and the
// current section, chosen by the address's #hash so Back, reload and bookmarks work. Sections a
// role may not open are not offered; inside a section, buttons a role may not use are disabled.
import { css, html, LitElement, nothing } from 'lit';
import { allows, get, type Me, onUnauthorized, post, type Role, setCsrfToken } from './api.js';
import { lang, type MessageKey, onLangChange, setLang, t } from './i18n.js';
import { viewStyles } from './styles.js';
import './views/login.js';
import './views/overview.js';
import './views/routers.js';
import './views/sessions.js';
import './views/packages.js';
import './views/payments.js';
import './views/vouchers.js';
import './views/reports.js';
import './views/admins.js';
import './views/settings.js';
import './views/audit.js';
import type { LoginAnswer } from './views/login.js';

interface Section {
  id: string;
  label: MessageKey;
  /** The least role that may open it. */
  role: Role;
  tag: string;
}

export const SECTIONS: readonly Section[] = [
  { id: 'overview', label: 'nav.overview', role: 'viewer', tag: 'nf-overview' },
  { id: 'sessions', label: 'nav.sessions', role: 'viewer', tag: 'nf-sessions' },
  { id: 'routers', label: 'nav.routers', role: 'viewer', tag: 'nf-routers' },
  { id: 'packages', label: 'nav.packages', role: 'viewer', tag: 'nf-packages' },
  { id: 'vouchers', label: 'nav.vouchers', role: 'viewer', tag: 'nf-vouchers' },
  { id: 'payments', label: 'nav.payments', role: 'viewer', tag: 'nf-payments' },
  { id: 'reports', label: 'nav.reports', role: 'viewer', tag: 'nf-reports' },
  { id: 'audit', label: 'nav.audit', role: 'viewer', tag: 'nf-audit' },
  { id: 'admins', label: 'nav.admins', role: 'admin', tag: 'nf-admins' },
  { id: 'settings', label: 'nav.settings', role: 'viewer', tag: 'nf-settings' },
];

export class NetflowDashboard extends LitElement {
  static override styles = [
    viewStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
      }
      .skip {
        position: absolute;
        left: -999px;
        top: 0;
        background: var(--nf-surface);
        padding: var(--nf-space-2) var(--nf-space-3);
        z-index: 10;
      }
      .skip:focus {
        left: var(--nf-space-2);
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--nf-space-2) var(--nf-space-4);
        padding: var(--nf-space-2) var(--nf-space-4);
        background: #12324a;
        color: #fff;
      }
      header .brand {
        font-weight: 700;
        font-size: var(--nf-text-lg);
        margin-right: auto;
      }
      header .who {
        font-size: var(--nf-text-sm);
      }
      header select,
      header button {
        min-height: 36px;
        background: #fff;
        color: var(--nf-text);
      }
      header label {
        flex-direction: row;
        align-items: center;
        color: #fff;
        font-weight: 400;
      }
      header :focus-visible {
        outline-color: #ffb27a;
      }
      .menu-toggle {
        display: none;
      }
      .layout {
        display: grid;
        grid-template-columns: 13rem 1fr;
        min-height: calc(100vh - 56px);
      }
      nav {
        background: var(--nf-surface);
        border-right: 1px solid #d5dae0;
        padding: var(--nf-space-3) 0;
      }
      nav ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      nav a {
        display: flex;
        align-items: center;
        min-height: var(--nf-tap);
        padding: 0 var(--nf-space-4);
        color: var(--nf-text);
        text-decoration: none;
        border-left: 4px solid transparent;
      }
      nav a:hover {
        background: #eef1f4;
      }
      nav a[aria-current='page'] {
        border-left-color: var(--nf-primary);
        background: #e6f0f7;
        color: var(--nf-primary);
        font-weight: 600;
      }
      nav a:focus-visible {
        outline-offset: -3px;
      }
      main {
        padding: var(--nf-space-5);
        min-width: 0;
      }
      @media (max-width: 760px) {
        .menu-toggle {
          display: inline-flex;
        }
        .layout {
          grid-template-columns: 1fr;
        }
        nav {
          display: none;
          border-right: none;
          border-bottom: 1px solid #d5dae0;
        }
        nav.open {
          display: block;
        }
        main {
          padding: var(--nf-space-4) var(--nf-space-3);
        }
        header .who {
          order: 5;
          width: 100%;
        }
      }
    `,
  ];

  static override properties = {
    me: { state: true },
    checked: { state: true },
    section: { state: true },
    menuOpen: { state: true },
  };

  me: Me | null = null;
  checked = false;
  section = 'overview';
  menuOpen = false;

  private readonly onHash = () => {
    this.section = this.sectionFromHash();
    this.menuOpen = false;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.lang = lang();
    onLangChange(() => {
      document.title = t('app.title');
      this.requestUpdate();
    });
    document.title = t('app.title');
    window.addEventListener('hashchange', this.onHash);
    onUnauthorized(() => {
      this.me = null;
    });
    this.section = this.sectionFromHash();
    void this.whoAmI();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
  }

  private sectionFromHash(): string {
    const id = location.hash.replace(/^#\/?/, '').split('?')[0];
    return SECTIONS.some((s) => s.id === id) ? id : 'overview';
  }

  private async whoAmI() {
    try {
      // GET /me answers as POST /login does: { admin, csrfToken, … }.
      const answer = await get<LoginAnswer>('/me');
      setCsrfToken(answer.csrfToken);
      this.me = answer.admin;
    } catch {
      this.me = null;
    } finally {
      this.checked = true;
    }
  }

  private signedIn(event: CustomEvent<LoginAnswer>) {
    this.me = event.detail.admin;
  }

  private async signOut() {
    try {
      await post('/logout');
    } catch {
      // Signed out on this side anyway; the cookie expires on its own.
    }
    setCsrfToken('');
    this.me = null;
  }

  private langSwitch() {
    return html`<label
      >${t('app.language')}
      <select @change=${(e: Event) => setLang((e.target as HTMLSelectElement).value as 'en' | 'sw')} aria-label=${t('app.language')}>
        <option value="en" ?selected=${lang() === 'en'}>English</option>
        <option value="sw" ?selected=${lang() === 'sw'}>Kiswahili</option>
      </select></label
    >`;
  }

  override render() {
    if (!this.checked) return html`<p class="muted loading">${t('common.loading')}</p>`;
    if (!this.me) {
      return html`<header><span class="brand">NetFlow</span>${this.langSwitch()}</header>
        <nf-login @signed-in=${this.signedIn}></nf-login>`;
    }
    const me = this.me;
    const sections = SECTIONS.filter((s) => allows(me.role, s.role));
    const current = sections.find((s) => s.id === this.section) ?? sections[0];
    return html`<a class="skip" href="#main" @click=${this.skip}>${t('app.skip')}</a>
      <header>
        <button
          class="menu-toggle small"
          aria-expanded=${this.menuOpen ? 'true' : 'false'}
          aria-controls="nav"
          @click=${() => (this.menuOpen = !this.menuOpen)}
        >
          ☰ ${t('app.menu')}
        </button>
        <span class="brand">NetFlow</span>
        <span class="who">${t('app.signedInAs', { email: me.email, role: t(`role.${me.role}`) })}</span>
        ${this.langSwitch()}
        <button class="small" @click=${this.signOut}>${t('app.logout')}</button>
      </header>
      <div class="layout" @signed-out=${() => (this.me = null)}>
        <nav id="nav" class=${this.menuOpen ? 'open' : ''} aria-label=${t('app.nav')}>
          <ul>
            ${sections.map(
              (s) => html`<li><a href="#/${s.id}" aria-current=${s.id === current.id ? 'page' : nothing}>${t(s.label)}</a></li>`,
            )}
          </ul>
        </nav>
        <main id="main" tabindex="-1">${this.renderSection(current, me)}</main>
      </div>`;
  }

  private skip(event: Event) {
    event.preventDefault();
    this.renderRoot.querySelector<HTMLElement>('#main')?.focus();
  }

  private shown: { id: string; me: Me; el: HTMLElement } | null = null;

  private renderSection(section: Section, me: Me) {
    // One element per opened section, created when it is opened (so it loads fresh data) and kept
    // while it stays open (a language switch re-renders it rather than reloading it).
    if (this.shown?.id !== section.id || this.shown.me !== me) {
      const el = document.createElement(section.tag) as HTMLElement & { me: Me };
      el.me = me;
      this.shown = { id: section.id, me, el };
    }
    return this.shown.el;
  }
}

customElements.define('netflow-dashboard', NetflowDashboard);
