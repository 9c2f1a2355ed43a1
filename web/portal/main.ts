// The guest captive portal's entry point (built out in the next commit).
import { html, LitElement } from 'lit';

export class NetflowPortal extends LitElement {
  override render() {
    return html`<main><h1>Wi-Fi</h1></main>`;
  }
}

customElements.define('netflow-portal', NetflowPortal);
