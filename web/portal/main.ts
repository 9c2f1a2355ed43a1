// The guest captive portal's entry point (web/portal/index.html loads it).
import { NetflowPortal } from './portal-app.js';

customElements.define('netflow-portal', NetflowPortal);
