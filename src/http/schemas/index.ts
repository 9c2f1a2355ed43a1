// Every HTTP shape NetFlow serves, for the web/ client: `import type { … } from '…/src/http/schemas/index.js'`.
export * from './common.js';
export * from './health.js';
export * from './portal.js';
export * from './payments.js';
export * from './admin.js';
export * from './admin-catalog.js';
export * from './admin-sessions.js';
export * from './admin-money.js';
export * from './admin-accounts.js';
export * from './admin-reports.js';
export * from './admin-router-status.js';
