// Styles every view shares (inside each view's shadow root): headings, tables that scroll
// sideways on a phone instead of breaking the page, forms, buttons with 44 px targets, status
// badges and the message boxes. Colours are the shared tokens (contrast checked in tokens.css).
import { css } from 'lit';

export const viewStyles = css`
  :host {
    display: block;
  }
  h1 {
    font-size: var(--nf-text-xl);
    margin: 0 0 var(--nf-space-4);
  }
  h2 {
    font-size: var(--nf-text-lg);
    margin: var(--nf-space-5) 0 var(--nf-space-3);
  }
  :focus-visible {
    outline: 3px solid var(--nf-focus);
    outline-offset: 2px;
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    gap: var(--nf-space-2);
    align-items: end;
    margin-bottom: var(--nf-space-4);
  }
  .bar h1 {
    margin: 0;
  }
  .bar .grow {
    flex: 1 1 auto;
  }
  button,
  .button {
    font: inherit;
    min-height: var(--nf-tap);
    padding: 0 var(--nf-space-4);
    border-radius: var(--nf-radius);
    border: 1px solid var(--nf-border);
    background: var(--nf-surface);
    color: var(--nf-text);
    cursor: pointer;
    display: inline-flex;
    align-items: center;
    gap: var(--nf-space-2);
    text-decoration: none;
  }
  button.primary,
  .button.primary {
    background: var(--nf-primary);
    border-color: var(--nf-primary);
    color: var(--nf-primary-text);
  }
  button.danger {
    color: var(--nf-danger);
    border-color: var(--nf-danger);
  }
  button.small,
  .button.small {
    min-height: 36px;
    padding: 0 var(--nf-space-3);
    font-size: var(--nf-text-sm);
  }
  button[disabled] {
    opacity: 0.55;
    cursor: not-allowed;
  }
  .table-wrap {
    overflow-x: auto;
    background: var(--nf-surface);
    border: 1px solid #d5dae0;
    border-radius: var(--nf-radius);
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: var(--nf-text-sm);
  }
  caption {
    text-align: left;
    padding: var(--nf-space-2) var(--nf-space-3);
    color: var(--nf-muted);
  }
  th,
  td {
    text-align: left;
    padding: var(--nf-space-2) var(--nf-space-3);
    border-bottom: 1px solid #e3e7eb;
    vertical-align: middle;
    white-space: nowrap;
  }
  th {
    background: #eef1f4;
    font-weight: 600;
  }
  td.num,
  th.num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  td .row-actions {
    display: flex;
    gap: var(--nf-space-1);
    flex-wrap: wrap;
    min-width: 12rem;
  }
  code,
  .mono {
    font-family: var(--nf-font-mono);
  }
  .badge {
    display: inline-block;
    padding: 2px 8px;
    border-radius: 999px;
    font-size: var(--nf-text-sm);
    font-weight: 600;
    background: #e3e7eb;
    color: var(--nf-text);
  }
  .badge.ok {
    background: #d7f0e0;
    color: #0b4d2c;
  }
  .badge.bad {
    background: var(--nf-danger-bg);
    color: var(--nf-danger);
  }
  .badge.warn {
    background: var(--nf-warning-bg);
    color: var(--nf-warning-text);
  }
  .msg {
    padding: var(--nf-space-3) var(--nf-space-4);
    border-radius: var(--nf-radius);
    margin: 0 0 var(--nf-space-4);
  }
  .msg.error {
    background: var(--nf-danger-bg);
    color: var(--nf-danger);
    border: 1px solid var(--nf-danger);
  }
  .msg.ok {
    background: #d7f0e0;
    color: #0b4d2c;
    border: 1px solid #0f6b3f;
  }
  .msg.info {
    background: #e6f0f7;
    color: #0b3a59;
  }
  /* Read by screen readers, not shown. */
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .full {
    grid-column: 1 / -1;
  }
  fieldset.plain {
    border: none;
    padding: 0;
    margin: 0;
    min-width: 0;
  }
  .msg.flat {
    margin: 0;
  }
  .loading {
    padding: var(--nf-space-4);
  }
  td.details {
    white-space: normal;
    min-width: 16rem;
    max-width: 32rem;
    overflow-wrap: anywhere;
  }
  td .wrap {
    white-space: normal;
    max-width: 22rem;
  }
  .muted {
    color: var(--nf-muted);
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
    gap: var(--nf-space-3);
  }
  label {
    display: flex;
    flex-direction: column;
    gap: var(--nf-space-1);
    font-size: var(--nf-text-sm);
    font-weight: 600;
  }
  label.check {
    flex-direction: row;
    align-items: center;
    font-weight: 400;
  }
  label .hint {
    font-weight: 400;
    color: var(--nf-muted);
  }
  input,
  select,
  textarea {
    font: inherit;
    min-height: var(--nf-tap);
    padding: 0 var(--nf-space-3);
    border: 1px solid var(--nf-border);
    border-radius: var(--nf-radius);
    background: var(--nf-surface);
    color: var(--nf-text);
    font-weight: 400;
    min-width: 0;
  }
  input[type='checkbox'],
  input[type='radio'] {
    min-height: auto;
    width: 20px;
    height: 20px;
  }
  textarea {
    padding: var(--nf-space-2) var(--nf-space-3);
    min-height: 5rem;
  }
  dialog {
    border: none;
    border-radius: var(--nf-radius);
    padding: var(--nf-space-5);
    width: min(34rem, calc(100vw - 2rem));
    box-shadow: 0 10px 40px rgba(0, 0, 0, 0.3);
  }
  dialog::backdrop {
    background: rgba(20, 24, 30, 0.5);
  }
  dialog h2 {
    margin-top: 0;
  }
  .buttons {
    display: flex;
    justify-content: flex-end;
    gap: var(--nf-space-2);
    margin-top: var(--nf-space-4);
    grid-column: 1 / -1;
  }
  .codes {
    max-height: 55vh;
    overflow-y: auto;
  }
  .secret {
    font-family: var(--nf-font-mono);
    font-size: var(--nf-text-lg);
    background: #eef1f4;
    padding: var(--nf-space-3);
    border-radius: var(--nf-radius);
    word-break: break-all;
    user-select: all;
  }
  .cards {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
    gap: var(--nf-space-3);
  }
  .card {
    background: var(--nf-surface);
    border: 1px solid #d5dae0;
    border-radius: var(--nf-radius);
    padding: var(--nf-space-4);
  }
  figure.card {
    margin: 0 0 var(--nf-space-4);
  }
  a.card.link {
    color: inherit;
    text-decoration: none;
  }
  a.card.link:hover {
    border-color: var(--nf-primary);
  }
  .card .figure {
    font-size: 1.75rem;
    font-weight: 700;
    font-variant-numeric: tabular-nums;
  }
  .card .label {
    color: var(--nf-muted);
    font-size: var(--nf-text-sm);
  }
  .pager {
    display: flex;
    gap: var(--nf-space-2);
    align-items: center;
    margin-top: var(--nf-space-3);
  }
  @media (max-width: 480px) {
    .cards {
      grid-template-columns: repeat(auto-fill, minmax(8.5rem, 1fr));
    }
    dialog {
      padding: var(--nf-space-4);
    }
    a.card.link {
    color: inherit;
    text-decoration: none;
  }
  a.card.link:hover {
    border-color: var(--nf-primary);
  }
  .card .figure {
      font-size: 1.5rem;
    }
  }
`;
