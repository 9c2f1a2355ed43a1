// Settings: the portal's branding (applied from the portal's next page load) and the RADIUS reply
// settings (every instance reloads them at once); no restart for either. Admins change them;
// others read them.
import { html, nothing } from 'lit';
import { get, patch } from '../api.js';
import { t } from '../i18n.js';
import { formValues, View } from '../view.js';

interface Branding {
  name: string;
  logoUrl?: string;
  primaryColor?: string;
  accentColor?: string;
  supportPhone?: string;
}

interface Settings {
  portalBranding: Branding;
  radius: { interimIntervalSeconds: number; holdSeconds: number };
}

export class NfSettings extends View {
  static override properties = { ...View.properties, settings: { state: true } };

  settings: Settings | null = null;

  async load() {
    this.settings = await get<Settings>('/settings');
    await this.updateComplete;
    const b = this.settings.portalBranding;
    this.fill('branding', {
      name: b.name,
      logoUrl: b.logoUrl ?? '',
      primaryColor: b.primaryColor ?? '',
      accentColor: b.accentColor ?? '',
      supportPhone: b.supportPhone ?? '',
    });
    this.fill('radius', {
      interimIntervalSeconds: String(this.settings.radius.interimIntervalSeconds),
      holdSeconds: String(this.settings.radius.holdSeconds),
    });
  }

  private fill(id: string, values: Record<string, string>) {
    const form = this.renderRoot.querySelector<HTMLFormElement>(`form#${id}`);
    for (const [name, value] of Object.entries(values)) {
      const field = form?.elements.namedItem(name);
      if (field instanceof HTMLInputElement) field.value = value;
    }
  }

  private async saveBranding(event: SubmitEvent) {
    event.preventDefault();
    const v = formValues(event.target as HTMLFormElement);
    const portalBranding: Branding = { name: v.name ?? '' };
    if (v.logoUrl) portalBranding.logoUrl = v.logoUrl;
    if (v.primaryColor) portalBranding.primaryColor = v.primaryColor;
    if (v.accentColor) portalBranding.accentColor = v.accentColor;
    if (v.supportPhone) portalBranding.supportPhone = v.supportPhone;
    await this.act(async () => {
      this.settings = await patch<Settings>('/settings', { portalBranding });
    }, t('settings.applied'));
  }

  private async saveRadius(event: SubmitEvent) {
    event.preventDefault();
    const v = formValues(event.target as HTMLFormElement);
    await this.act(async () => {
      this.settings = await patch<Settings>('/settings', {
        radius: { interimIntervalSeconds: Number(v.interimIntervalSeconds), holdSeconds: Number(v.holdSeconds) },
      });
    }, t('settings.radiusApplied'));
  }

  override render() {
    const admin = this.can('admin');
    return html`<h1>${t('settings.title')}</h1>
      ${this.readOnlyNote('admin')} ${this.messages()}
      <h2>${t('settings.branding')}</h2>
      <form id="branding" class="card" @submit=${this.saveBranding}>
        <fieldset class="plain grid" ?disabled=${!admin}>
          <label>${t('settings.brandName')}<input name="name" required maxlength="64" /></label>
          <label>${t('settings.logoUrl')}<input name="logoUrl" type="url" /></label>
          <label>${t('settings.primary')}<input name="primaryColor" pattern="#[0-9a-fA-F]{6}" placeholder="#0b5c8e" maxlength="7" /></label>
          <label>${t('settings.accent')}<input name="accentColor" pattern="#[0-9a-fA-F]{6}" placeholder="#0f6b3f" maxlength="7" /></label>
          <label>${t('settings.support')}<input name="supportPhone" type="tel" maxlength="24" /></label>
        </fieldset>
        ${admin ? html`<div class="buttons"><button class="primary" type="submit">${t('common.save')}</button></div>` : nothing}
      </form>
      <h2>${t('settings.radius')}</h2>
      <form id="radius" class="card" @submit=${this.saveRadius}>
        <fieldset class="plain grid" ?disabled=${!admin}>
          <label>${t('settings.interim')}<input name="interimIntervalSeconds" type="number" min="60" max="86400" required /></label>
          <label>${t('settings.hold')}<input name="holdSeconds" type="number" min="10" max="3600" required /></label>
        </fieldset>
        ${admin ? html`<div class="buttons"><button class="primary" type="submit">${t('common.save')}</button></div>` : nothing}
      </form>`;
  }
}

customElements.define('nf-settings', NfSettings);
