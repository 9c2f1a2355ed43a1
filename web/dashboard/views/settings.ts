// Settings: the portal's branding (settings key portal.branding: name, logo, colours, support
// phone), applied without a restart. Admins change it; others see it.
import { html, nothing } from 'lit';
import { get, put } from '../api.js';
import { t } from '../i18n.js';
import { formValues, View } from '../view.js';

interface Branding {
  name: string;
  logoUrl?: string;
  primaryColor?: string;
  accentColor?: string;
  supportPhone?: string;
}

const BRANDING_KEY = 'portal.branding';

export class NfSettings extends View {
  static override properties = { ...View.properties, branding: { state: true } };

  branding: Branding = { name: '' };

  async load() {
    const body = await get<{ value?: Branding } | Branding | null>(`/settings/${BRANDING_KEY}`).catch((err) => {
      // No branding saved yet: the form starts empty.
      if ((err as { status?: number }).status === 404) return null;
      throw err;
    });
    const value = body && 'value' in body ? body.value : (body as Branding | null);
    this.branding = value ?? { name: '' };
    await this.updateComplete;
    const b = this.branding;
    const form = this.renderRoot.querySelector<HTMLFormElement>('form#branding');
    if (form) {
      for (const [k, v] of Object.entries({
        name: b.name,
        logoUrl: b.logoUrl,
        primaryColor: b.primaryColor,
        accentColor: b.accentColor,
        supportPhone: b.supportPhone,
      })) {
        const field = form.elements.namedItem(k) as HTMLInputElement | null;
        if (field) field.value = v ?? '';
      }
    }
  }

  private async save(event: SubmitEvent) {
    event.preventDefault();
    const v = formValues(event.target as HTMLFormElement);
    const value: Branding = { name: v.name ?? '' };
    if (v.logoUrl) value.logoUrl = v.logoUrl;
    if (v.primaryColor) value.primaryColor = v.primaryColor;
    if (v.accentColor) value.accentColor = v.accentColor;
    if (v.supportPhone) value.supportPhone = v.supportPhone;
    await this.act(() => put(`/settings/${BRANDING_KEY}`, { value }), t('settings.applied'));
  }

  override render() {
    const admin = this.can('admin');
    return html`<h1>${t('settings.title')}</h1>
      ${this.readOnlyNote('admin')} ${this.messages()}
      <h2>${t('settings.branding')}</h2>
      <form id="branding" class="grid card" @submit=${this.save}>
        <fieldset class="full plain grid" ?disabled=${!admin}>
          <label>${t('settings.brandName')}<input name="name" required maxlength="60" /></label>
          <label>${t('settings.logoUrl')}<input name="logoUrl" type="url" /></label>
          <label>${t('settings.primary')}<input name="primaryColor" pattern="#[0-9a-fA-F]{6}" placeholder="#0b5c8e" /></label>
          <label>${t('settings.accent')}<input name="accentColor" pattern="#[0-9a-fA-F]{6}" placeholder="#0f6b3f" /></label>
          <label>${t('settings.support')}<input name="supportPhone" type="tel" /></label>
        </fieldset>
        ${admin ? html`<div class="buttons full"><button class="primary" type="submit">${t('common.save')}</button></div>` : nothing}
      </form>`;
  }
}

customElements.define('nf-settings', NfSettings);
