// The operator dashboard's entry point. A placeholder until the dashboard is built on this
// scaffold: it proves the page, its script and the shared helpers are served (and pass the CSP).
import { css, html, LitElement } from 'lit';
import { detectLang, translator } from '../shared/i18n.js';

const messages = {
  en: { title: 'NetFlow dashboard', soon: 'The dashboard is coming. Until then, use the netflow command line.' },
  sw: { title: 'Dashibodi ya NetFlow', soon: 'Dashibodi inakuja. Kwa sasa, tumia amri za netflow.' },
};

export class NetflowDashboard extends LitElement {
  static override styles = css`
    :host {
      display: block;
      max-width: 40rem;
      margin: 0 auto;
      padding: var(--nf-space-5) var(--nf-space-4);
    }
  `;

  private readonly i18n = translator(messages, detectLang());

  override render() {
    const { t } = this.i18n;
    return html`<main>
      <h1>${t('title')}</h1>
      <p>${t('soon')}</p>
    </main>`;
  }
}

customElements.define('netflow-dashboard', NetflowDashboard);
