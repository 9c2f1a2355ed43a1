// What every dashboard section shares: the signed-in admin (for role checks), re-rendering when
// the language changes, one error line and one notice line, and `act()`, which runs a call and
// turns a refusal into the server's own words (a 403 says which role it takes).
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { ApiError, allows, type Me, type Role } from './api.js';
import { onLangChange, t } from './i18n.js';
import { viewStyles } from './styles.js';

export abstract class View extends LitElement {
  static override styles = [viewStyles];
  static override properties = {
    me: { attribute: false },
    error: { state: true },
    notice: { state: true },
    loading: { state: true },
  };

  me: Me | null = null;
  error = '';
  notice = '';
  loading = false;
  private unsubscribe: (() => void) | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = onLangChange(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  protected override firstUpdated(_changed: PropertyValues): void {
    void this.reload();
  }

  /** Loads the section's data (called once when shown, and by the Refresh button). */
  abstract load(): Promise<void>;

  async reload(): Promise<void> {
    this.loading = true;
    this.error = '';
    try {
      await this.load();
    } catch (err) {
      this.error = explain(err);
    } finally {
      this.loading = false;
    }
  }

  can(role: Role): boolean {
    return allows(this.me?.role, role);
  }

  /** Runs a change; true when it worked. A failure is shown (and kept for a dialog to show). */
  async act(work: () => Promise<unknown>, done?: string): Promise<boolean> {
    this.error = '';
    this.notice = '';
    try {
      await work();
      if (done) this.notice = done;
      return true;
    } catch (err) {
      this.error = explain(err);
      return false;
    }
  }

  protected messages() {
    // While a dialog is open, its own copy of the error is the one shown (beside what caused it).
    const inDialog = this.renderRoot.querySelector?.('dialog[open]') != null;
    return html`${this.error && !inDialog ? html`<p class="msg error" role="alert">${this.error}</p>` : nothing}
    ${this.notice ? html`<p class="msg ok" role="status">${this.notice}</p>` : nothing}
    ${this.loading ? html`<p class="muted" aria-live="polite">${t('common.loading')}</p>` : nothing}`;
  }

  protected readOnlyNote(needed: Role) {
    return this.can(needed)
      ? nothing
      : html`<p class="msg info">${t('common.readOnly', { role: t(`role.${this.me?.role ?? 'viewer'}`) })}</p>`;
  }

  protected dialog(id: string): HTMLDialogElement | null {
    return this.renderRoot.querySelector<HTMLDialogElement>(`dialog#${id}`);
  }

  protected openDialog(id: string): void {
    this.error = '';
    const d = this.dialog(id);
    if (d && !d.open) d.showModal();
  }

  /** Puts values into the form inside dialog#id (each open starts from the row, not from last time). */
  protected fillForm(id: string, values: Record<string, string>): void {
    const form = this.renderRoot.querySelector<HTMLFormElement>(`dialog#${id} form`);
    if (!form) return;
    form.reset();
    for (const [name, value] of Object.entries(values)) {
      const field = form.elements.namedItem(name);
      if (field instanceof HTMLInputElement && (field.type === 'checkbox' || field.type === 'radio')) field.checked = value === 'true';
      else if (field && 'value' in field) (field as unknown as HTMLInputElement).value = value;
    }
  }

  protected closeDialog(id: string): void {
    this.dialog(id)?.close();
  }
}

/** A person-readable line for a failed call, in the chosen language where it is ours. */
export function explain(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.kind === 'timeout') return t('err.timeout');
    if (err.kind === 'network') return t('err.network');
    if (err.status === 403) return t('err.refused', { message: err.message });
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** A form's fields as strings (empty fields left out). */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  return out;
}

export function bytes(value: number | string | null | undefined): string {
  const n = Number(value ?? 0);
  if (n < 1_000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1_000).toFixed(1)} kB`;
  if (n < 1_000_000_000) return `${(n / 1_000_000).toFixed(1)} MB`;
  return `${(n / 1_000_000_000).toFixed(2)} GB`;
}

export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s).padStart(2, '0')}s`;
}
