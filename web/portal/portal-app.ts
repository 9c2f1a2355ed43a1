// <netflow-portal>: the whole captive portal as one small state machine. The hotspot sends the
// guest here with its parameters (src/portal/hotspot-params.ts); from there: time left and "get
// back online" for a returning guest, the packages, buying one with mobile money (phone → approve on
// the phone → live status → code), a voucher, recovering a paid code, and logging the device in by
// posting the hotspot's own form. Every screen moves focus to its heading (screen readers hear
// where they are) and announces changes through a live region; slow answers show a spinner and
// "still trying", an API that does not answer gets a clear screen with "Try again".
import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { type HotspotParams, readHotspotParams } from '../../src/portal/hotspot-params.js';
import { ApiError } from '../shared/api.js';
import { detectLang, type Lang, rememberLang, type Translator, translator } from '../shared/i18n.js';
import { type BrandingResponse, type PackagesResponse, portalApi, type PurchaseView, type StatusResponse } from './api.js';
import { bytes, duration, money, speed } from './format.js';
import { type HeldCode, heldCodes, holdCode } from './held-codes.js';
import { submitHotspotLogin } from './hotspot-login.js';
import { en, errorKey, failureKey, type MessageKey, reasonKey, sw } from './messages.js';

type View = 'loading' | 'down' | 'invalid' | 'home' | 'buy' | 'waiting' | 'failed' | 'code' | 'recover' | 'connected';
type Package = PackagesResponse['packages'][number];

const POLL_MS = 2000;
/** After this long pending, say so and offer "check again" (the provider's own push lasts minutes). */
const LONG_WAIT_MS = 90_000;
const CONTINUE_AFTER_MS = 5000;

interface Boot {
  router: string;
  packages: PackagesResponse;
  branding: BrandingResponse | null;
}

/** The answers NetFlow inlined into the page for this router (a JSON data block, never executed). */
function readBoot(router: string): Boot | null {
  const el = document.getElementById('netflow-boot');
  if (!el || !router) return null;
  try {
    const boot = JSON.parse(el.textContent ?? '') as Boot;
    return boot && boot.router === router && Array.isArray(boot.packages?.packages) ? boot : null;
  } catch {
    return null;
  }
}

/** WCAG contrast of white text on a #rrggbb colour: an operator's colour is used only if ≥ 4.5. */
export function contrastWithWhite(hex: string): number {
  const c = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  const l = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  return 1.05 / (l + 0.05);
}

export class NetflowPortal extends LitElement {
  static override properties = {
    view: { state: true },
    lang: { state: true },
    packages: { state: true },
    branding: { state: true },
    status: { state: true },
    selected: { state: true },
    purchase: { state: true },
    busy: { state: true },
    notice: { state: true },
    formError: { state: true },
    networkGuess: { state: true },
    provider: { state: true },
    waitedLong: { state: true },
    code: { state: true },
  };

  declare view: View;
  declare lang: Lang;
  declare packages: PackagesResponse | null;
  declare branding: BrandingResponse | null;
  declare status: StatusResponse | null;
  declare selected: Package | null;
  declare purchase: PurchaseView | null;
  declare busy: boolean;
  /** A slow-network or progress line for the live region. */
  declare notice: string;
  /** The current form's error, in the guest's language. */
  declare formError: string;
  declare networkGuess: string;
  declare provider: string;
  declare waitedLong: boolean;
  /** The code just bought, redeemed or recovered (paid: it came from a purchase). */
  declare code: (HeldCode & { paid: boolean }) | null;

  private readonly params: HotspotParams;
  private readonly problems: string[];
  private boot: Boot | null;
  private purchaseToken: string | null = null;
  private pollTimer: number | undefined;
  private phoneTimer: number | undefined;
  private continueTimer: number | undefined;
  private waitStarted = 0;
  private packagesMarked = false;

  constructor() {
    super();
    const query = new URLSearchParams(location.search);
    const { params, problems } = readHotspotParams((n) => query.get(n));
    this.params = params;
    this.problems = problems;
    this.boot = readBoot(params.router);
    this.view = this.boot && params.view !== 'connected' ? 'home' : 'loading';
    this.lang = detectLang();
    this.packages = null;
    this.branding = null;
    this.status = null;
    this.selected = null;
    this.purchase = null;
    this.busy = false;
    this.notice = '';
    this.formError = '';
    this.networkGuess = '';
    this.provider = '';
    this.waitedLong = false;
    this.code = null;
  }

  private get i18n(): Translator<keyof typeof en> {
    return translator({ en, sw }, this.lang);
  }

  private t = (key: MessageKey, values?: Record<string, string | number>) => this.i18n.t(key, values);

  override connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.lang = this.lang;
    if (this.problems.includes('router')) this.view = 'invalid';
    else {
      if (this.boot && this.params.view !== 'connected') this.packages = this.boot.packages;
      void this.load();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearTimeout(this.pollTimer);
    window.clearTimeout(this.phoneTimer);
    window.clearTimeout(this.continueTimer);
  }

  protected override updated(changed: PropertyValues<this>): void {
    const before = changed.get('view');
    if (changed.has('view') && before !== undefined && before !== 'loading') {
      // A new screen: focus its heading, so keyboard and screen-reader users start there.
      this.renderRoot.querySelector<HTMLElement>('h1, h2')?.focus();
    }
    if (!this.packagesMarked && this.view === 'home' && this.packages) {
      this.packagesMarked = true;
      // For the budget script (bench/portal-budget.ts): when the package list was first painted.
      requestAnimationFrame(() => performance.mark('netflow:packages-shown'));
    }
  }

  private get device() {
    return { router: this.params.router, mac: this.params.mac, ip: this.params.ip };
  }

  private retryNotice = (attempt: number) => {
    this.notice = this.t('stillTrying', { n: attempt });
  };

  private async load(): Promise<void> {
    // What NetFlow inlined into the page (src/http/web.ts): used once, on the first load.
    const boot = this.boot;
    this.boot = null;
    this.view = this.params.view === 'connected' ? 'connected' : boot ? 'home' : 'loading';
    this.notice = '';
    const held = heldCodes(this.params.router);
    const opts = { onRetry: this.retryNotice };
    // In parallel: branding and time left are extras; the packages decide whether the page works.
    if (boot?.branding) this.applyBranding(boot.branding);
    else
      void portalApi
        .branding(opts)
        .then((b) => this.applyBranding(b))
        .catch(() => {});
    const status = portalApi
      .status(
        this.device,
        held.map((c) => c.code),
        opts,
      )
      .then((s) => (this.status = s))
      .catch(() => null);
    if (this.params.view === 'connected') {
      await status;
      this.scheduleContinue();
      return;
    }
    if (boot) {
      this.packages = boot.packages;
      return;
    }
    try {
      this.packages = await portalApi.packages(this.params.router, opts);
      this.notice = '';
      this.view = 'home';
    } catch (err) {
      this.notice = '';
      if (err instanceof ApiError && err.kind === 'http' && err.status === 404) this.view = 'invalid';
      else this.view = 'down';
    }
  }

  private applyBranding(b: BrandingResponse): void {
    this.branding = b;
    document.title = b.name;
    const host = this.style;
    if (b.primaryColor && contrastWithWhite(b.primaryColor) >= 4.5) host.setProperty('--nf-primary', b.primaryColor);
    if (b.accentColor && contrastWithWhite(b.accentColor) >= 4.5) host.setProperty('--nf-accent', b.accentColor);
  }

  private switchLang(): void {
    this.lang = this.lang === 'en' ? 'sw' : 'en';
    rememberLang(this.lang);
    document.documentElement.lang = this.lang;
  }

  private show(view: View): void {
    this.formError = '';
    this.notice = '';
    this.view = view;
  }

  private messageOf(err: unknown): string {
    if (err instanceof ApiError) {
      if (err.kind !== 'http') return this.t('downBody');
      if (err.status === 429) return this.t('tooMany');
      const reason = reasonKey(err.body?.reason);
      if (reason) return this.t(reason);
      if (this.lang === 'sw' && err.body?.errorSw) return err.body.errorSw;
      if (err.body?.error) {
        const known = errorKey(err.body.error);
        return known ? this.t(known) : err.body.error;
      }
    }
    return this.t('errorGeneric');
  }

  // --- buying ------------------------------------------------------------------------------------

  private choose(p: Package): void {
    this.selected = p;
    this.networkGuess = '';
    this.provider = this.packages?.payment.providers.find((x) => x.currencies.includes(p.currency))?.id ?? '';
    this.show('buy');
  }

  private onPhoneInput(e: Event): void {
    const phone = (e.target as HTMLInputElement).value;
    window.clearTimeout(this.phoneTimer);
    if (phone.replace(/\D/g, '').length < 9) return;
    this.phoneTimer = window.setTimeout(async () => {
      try {
        const r = await portalApi.phone(phone, { retries: 0, timeoutMs: 5000 });
        if (r.provider && this.packages?.payment.providers.some((p) => p.id === r.provider)) {
          this.provider = r.provider;
          this.networkGuess = this.packages.payment.providers.find((p) => p.id === r.provider)!.name;
        }
      } catch {
        // Only a suggestion: the guest still picks the network.
      }
    }, 350);
  }

  private async pay(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const phone = (form.elements.namedItem('phone') as HTMLInputElement).value.trim();
    const provider = (form.elements.namedItem('provider') as HTMLSelectElement | null)?.value ?? '';
    if (!phone) return this.fieldError(form, 'phone', this.t('required'));
    this.busy = true;
    this.formError = '';
    try {
      const view = await portalApi.purchase(this.device, { packageId: this.selected!.id, phone, ...(provider ? { provider } : {}) });
      this.purchaseToken = view.token ?? null;
      this.purchase = view;
      this.afterPurchaseUpdate(view);
    } catch (err) {
      this.formError = this.messageOf(err);
      this.focusError();
    } finally {
      this.busy = false;
    }
  }

  private afterPurchaseUpdate(view: PurchaseView): void {
    if (view.status === 'paid' && view.access) {
      this.gotCode({ code: view.access.code, password: view.access.password }, true);
    } else if (view.status === 'pending') {
      if (this.view !== 'waiting') {
        this.waitStarted = Date.now();
        this.waitedLong = false;
        this.show('waiting');
      }
      this.pollTimer = window.setTimeout(() => void this.poll(), POLL_MS);
    } else {
      this.show('failed');
    }
  }

  private async poll(): Promise<void> {
    if (!this.purchase || this.view !== 'waiting') return;
    try {
      const view = await portalApi.purchaseStatus(this.purchase.id, this.purchaseToken, { onRetry: this.retryNotice });
      this.notice = '';
      this.purchase = { ...this.purchase, ...view } as PurchaseView;
      if (view.status === 'pending' && Date.now() - this.waitStarted > LONG_WAIT_MS) {
        this.waitedLong = true;
        return;
      }
      this.afterPurchaseUpdate(this.purchase);
    } catch {
      // Keep asking: the payment goes on whether or not we can see it.
      this.notice = this.t('stillTrying', { n: '…' });
      this.pollTimer = window.setTimeout(() => void this.poll(), POLL_MS * 2);
    }
  }

  private checkAgain(): void {
    this.waitStarted = Date.now();
    this.waitedLong = false;
    void this.poll();
  }

  // --- codes and logging in ------------------------------------------------------------------

  private gotCode(c: { code: string; password: string }, paid: boolean): void {
    const held = { ...c, router: this.params.router, savedAt: Date.now() };
    holdCode(held);
    this.code = { ...held, paid };
    this.show('code');
    if (this.params.linkLoginOnly) this.logIn(held);
  }

  private logIn(c: { code: string; password: string }): void {
    if (!this.params.linkLoginOnly) return;
    this.busy = true;
    this.notice = this.t('loggingIn');
    submitHotspotLogin(this.params, c.code, c.password);
  }

  private async redeem(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const code = (form.elements.namedItem('code') as HTMLInputElement).value.trim();
    if (!code) return this.fieldError(form, 'code', this.t('required'));
    if (!/^[A-Za-z0-9 -]{4,40}$/.test(code)) return this.fieldError(form, 'code', this.t('codeFormat'));
    this.busy = true;
    this.formError = '';
    try {
      const r = await portalApi.redeem(this.device, code, { onRetry: this.retryNotice });
      this.gotCode({ code: r.code, password: r.password }, false);
    } catch (err) {
      this.fieldError(form, 'code', this.messageOf(err));
    } finally {
      this.busy = false;
      if (this.view !== 'code') this.notice = '';
    }
  }

  private async recover(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const phone = (form.elements.namedItem('phone') as HTMLInputElement).value.trim();
    const receipt = (form.elements.namedItem('receipt') as HTMLInputElement).value.trim();
    if (!phone) return this.fieldError(form, 'phone', this.t('required'));
    if (!receipt) return this.fieldError(form, 'receipt', this.t('required'));
    this.busy = true;
    this.formError = '';
    try {
      const view = await portalApi.recover(this.params.router, phone, receipt, { onRetry: this.retryNotice });
      if (view.access) this.gotCode({ code: view.access.code, password: view.access.password }, true);
      else this.formError = this.t(failureKey(view.failureReason));
    } catch (err) {
      this.formError = this.messageOf(err);
      this.focusError();
    } finally {
      this.busy = false;
    }
  }

  private fieldError(form: HTMLFormElement, name: string, message: string): void {
    this.formError = message;
    (form.elements.namedItem(name) as HTMLElement | null)?.focus();
  }

  private focusError(): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.form-error')?.focus());
  }

  private scheduleContinue(): void {
    if (!this.params.linkOrig) return;
    this.continueTimer = window.setTimeout(() => location.assign(this.params.linkOrig), CONTINUE_AFTER_MS);
  }

  // --- rendering -------------------------------------------------------------------------------

  override render(): TemplateResult {
    const b = this.branding;
    return html`
      <header>
        ${b?.logoUrl ? html`<img class="logo" src=${b.logoUrl} alt="" width="40" height="40" />` : nothing}
        <span class="brand">${b?.name ?? this.t('title')}</span>
        <button class="lang" type="button" @click=${this.switchLang} lang=${this.lang === 'en' ? 'sw' : 'en'}>
          ${this.t('language')}
        </button>
      </header>
      ${this.packages?.payment.testMoney ? html`<p class="test-money" role="note">${this.t('testMoney')}</p>` : nothing}
      <main>${this.renderView()}</main>
      <p class="notice" role="status" aria-live="polite">${this.notice}</p>
      ${b?.supportPhone ? html`<footer><a href="tel:${b.supportPhone.replace(/[^+\d]/g, '')}">${this.t('support', { phone: b.supportPhone })}</a></footer>` : nothing}
    `;
  }

  private renderView(): TemplateResult {
    switch (this.view) {
      case 'loading':
        return html`<div class="center"><span class="spinner" aria-hidden="true"></span><h1 tabindex="-1">${this.t('loading')}</h1></div>`;
      case 'down':
        return html`<section class="card">
          <h1 tabindex="-1">${this.t('downTitle')}</h1>
          <p>${this.t('downBody')}</p>
          <button class="primary" type="button" @click=${() => void this.load()}>${this.t('tryAgain')}</button>
        </section>`;
      case 'invalid':
        return html`<section class="card">
          <h1 tabindex="-1">${this.t('invalidTitle')}</h1>
          <p>${this.t('invalidBody')}</p>
        </section>`;
      case 'home':
        return this.renderHome();
      case 'buy':
        return this.renderBuy();
      case 'waiting':
        return this.renderWaiting();
      case 'failed':
        return html`<section class="card">
          <h1 tabindex="-1">${this.t('failedTitle')}</h1>
          <p class="form-error" role="alert">${this.t(failureKey(this.purchase?.failureReason ?? (this.purchase?.status === 'expired' ? 'expired' : null)))}</p>
          <button class="primary" type="button" @click=${() => this.show('buy')}>${this.t('tryAgain')}</button>
          <button class="link" type="button" @click=${() => this.show('home')}>${this.t('back')}</button>
        </section>`;
      case 'code':
        return this.renderCode();
      case 'recover':
        return this.renderRecover();
      case 'connected':
        return this.renderConnected();
    }
  }

  private renderRouterError(): TemplateResult | typeof nothing {
    const error = this.params.error;
    if (!error) return nothing;
    const key = errorKey(error);
    return html`<p class="form-error" role="alert">${key ? this.t(key) : this.t('routerSaid', { text: error })}</p>`;
  }

  private renderTimeLeft(): TemplateResult | typeof nothing {
    const usable = this.status?.entitlements.filter((e) => e.usable) ?? [];
    if (usable.length === 0) return nothing;
    const held = heldCodes(this.params.router);
    const withCode = usable.find((e) => e.code && held.some((h) => h.code === e.code));
    const e = withCode ?? usable[0];
    const time = e.secondsLeft === null ? '' : duration(e.secondsLeft, this.i18n);
    return html`<section class="card returning" aria-labelledby="returning-h">
      <h2 id="returning-h" tabindex="-1">${this.t('welcomeBack')}</h2>
      <p class="big">${e.state === 'not_started' ? this.t('notStarted', { time }) : this.t('timeLeft', { time })}</p>
      ${e.bytesLeft !== null ? html`<p>${this.t('dataLeft', { data: bytes(e.bytesLeft) })}</p>` : nothing}
      ${
        withCode
          ? html`<button class="primary" type="button" ?disabled=${this.busy} @click=${() => this.logIn(held.find((h) => h.code === withCode.code)!)}>
            ${this.t('getOnline')}
          </button>`
          : html`<p>${this.t('enterCodeToReturn')}</p>`
      }
    </section>`;
  }

  private renderHome(): TemplateResult {
    const p = this.packages!;
    const lang = this.lang;
    return html`
      ${this.renderRouterError()} ${this.renderTimeLeft()}
      <section aria-labelledby="packages-h">
        <h1 id="packages-h" tabindex="-1">${this.t('choosePackage')}</h1>
        ${
          p.packages.length === 0
            ? html`<p>${this.t('noPackages')}</p>`
            : html`<ul class="packages">
              ${p.packages.map((x) => {
                const price = money(x.priceMinor, x.currency, lang);
                return html`<li>
                  <button class="package" type="button" data-package=${x.id} aria-label=${this.t('buy', { name: x.name, price })} @click=${() => this.choose(x)}>
                    <span class="pkg-name">${x.name}</span>
                    <span class="pkg-price">${price}</span>
                    <span class="pkg-meta"
                      >${duration(x.minutes * 60, this.i18n)} · ${this.t('packageSpeed', { down: speed(x.rateLimit.down) })}${
                        x.dataCapBytes ? ` · ${bytes(x.dataCapBytes)}` : ''
                      }${x.devices > 1 ? ` · ${this.t('packageDevices', { n: x.devices })}` : ''}</span
                    >
                  </button>
                </li>`;
              })}
            </ul>`
        }
      </section>
      <section class="card" aria-labelledby="voucher-h">
        <h2 id="voucher-h">${this.t('haveCode')}</h2>
        <form @submit=${this.redeem} novalidate>
          <label for="code">${this.t('codeLabel')}</label>
          <div class="row">
            <input
              id="code"
              name="code"
              autocomplete="one-time-code"
              autocapitalize="characters"
              spellcheck="false"
              maxlength="40"
              aria-describedby="voucher-error"
              aria-invalid=${this.formError ? 'true' : 'false'}
            />
            <button class="primary" type="submit" ?disabled=${this.busy}>${this.t('useCode')}</button>
          </div>
          <p id="voucher-error" class="form-error" role="alert" tabindex="-1">${this.formError}</p>
        </form>
      </section>
      <p class="center"><button class="link" type="button" @click=${() => this.show('recover')}>${this.t('lostCode')}</button></p>
    `;
  }

  private renderBuy(): TemplateResult {
    const p = this.selected!;
    const price = money(p.priceMinor, p.currency, this.lang);
    const providers = this.packages?.payment.providers.filter((x) => x.currencies.includes(p.currency)) ?? [];
    return html`<section class="card">
      <h1 tabindex="-1">${this.t('payFor', { name: p.name })}</h1>
      <p>${this.t('price', { price })} · ${duration(p.minutes * 60, this.i18n)}</p>
      <form @submit=${this.pay} novalidate>
        <label for="phone">${this.t('phoneLabel')}</label>
        <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="32" aria-describedby="phone-help pay-error" @input=${this.onPhoneInput} />
        <p id="phone-help" class="help">${this.t('phoneHelp')}</p>
        ${
          providers.length > 0
            ? html`<label for="provider">${this.t('networkLabel')}</label>
              <select id="provider" name="provider" aria-describedby="network-guess" @change=${(e: Event) => (this.provider = (e.target as HTMLSelectElement).value)}>
                ${providers.map(
                  (x) => html`<option value=${x.id} ?selected=${x.id === this.provider}>${x.name}${x.testMoney ? ' (test)' : ''}</option>`,
                )}
              </select>
              <p id="network-guess" class="help">${this.networkGuess ? this.t('networkGuess', { network: this.networkGuess }) : ''}</p>`
            : nothing
        }
        <p id="pay-error" class="form-error" role="alert" tabindex="-1">${this.formError}</p>
        <button class="primary" type="submit" ?disabled=${this.busy}>
          ${this.busy ? html`<span class="spinner small" aria-hidden="true"></span>` : nothing}${this.t('pay', { price })}
        </button>
        <button class="link" type="button" @click=${() => this.show('home')}>${this.t('back')}</button>
      </form>
    </section>`;
  }

  private renderWaiting(): TemplateResult {
    return html`<section class="card center">
      <h1 tabindex="-1">${this.t('approveTitle')}</h1>
      <p>${this.t('approveBody', { phone: this.purchase?.phone ?? '' })}</p>
      <p><span class="spinner" aria-hidden="true"></span></p>
      <p role="status">${this.waitedLong ? this.t('waitedLong') : this.t('waiting')}</p>
      ${
        this.waitedLong
          ? html`<button class="primary" type="button" @click=${this.checkAgain}>${this.t('checkAgain')}</button>
            <button class="link" type="button" @click=${() => this.show('buy')}>${this.t('tryAgain')}</button>`
          : nothing
      }
    </section>`;
  }

  private renderCode(): TemplateResult {
    const c = this.code!;
    return html`<section class="card center">
      <h1 tabindex="-1">${this.t(c.paid ? 'paidTitle' : 'codeTitle', { code: c.code })}</h1>
      <p class="code" aria-label=${c.code.split('').join(' ')}>${c.code}</p>
      <p>${this.t('keepCode')}</p>
      ${
        this.params.linkLoginOnly
          ? html`<button class="primary" type="button" @click=${() => this.logIn(c)}>${this.t('logIn')}</button>`
          : html`<p class="form-error" role="alert">${this.t('noLoginLink', { code: c.code })}</p>`
      }
    </section>`;
  }

  private renderRecover(): TemplateResult {
    return html`<section class="card">
      <h1 tabindex="-1">${this.t('recoverTitle')}</h1>
      <p>${this.t('recoverBody')}</p>
      <form @submit=${this.recover} novalidate>
        <label for="r-phone">${this.t('phoneLabel')}</label>
        <input id="r-phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="32" />
        <label for="r-receipt">${this.t('receiptLabel')}</label>
        <input id="r-receipt" name="receipt" autocapitalize="characters" spellcheck="false" maxlength="64" />
        <p class="form-error" role="alert" tabindex="-1">${this.formError}</p>
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.t('recover')}</button>
        <button class="link" type="button" @click=${() => this.show('home')}>${this.t('back')}</button>
      </form>
    </section>`;
  }

  private renderConnected(): TemplateResult {
    const held = heldCodes(this.params.router);
    const mine = this.status?.entitlements.find((e) => e.usable && e.code && held.some((h) => h.code === e.code));
    let host = '';
    try {
      host = this.params.linkOrig ? new URL(this.params.linkOrig).host : '';
    } catch {
      host = '';
    }
    return html`<section class="card center connected">
      <p class="tick" aria-hidden="true">✓</p>
      <h1 tabindex="-1">${this.t('connectedTitle')}</h1>
      <p>${this.t('connectedBody')}</p>
      ${mine && mine.secondsLeft !== null ? html`<p class="big">${this.t('timeLeft', { time: duration(mine.secondsLeft, this.i18n) })}</p>` : nothing}
      ${mine?.bytesLeft ? html`<p>${this.t('dataLeft', { data: bytes(mine.bytesLeft) })}</p>` : nothing}
      ${
        host
          ? html`<a class="primary button" href=${this.params.linkOrig}>${this.t('continueTo', { host })}</a>
            <p class="help">${this.t('continueAuto')}</p>`
          : nothing
      }
    </section>`;
  }

  static override styles = css`
    *,
    *::before,
    *::after {
      box-sizing: border-box;
    }
    :host {
      display: block;
      max-width: 32rem;
      margin: 0 auto;
      padding: 0 var(--nf-space-3) var(--nf-space-5);
      min-width: 0;
    }
    header {
      display: flex;
      align-items: center;
      gap: var(--nf-space-2);
      padding: var(--nf-space-3) 0;
    }
    .logo {
      border-radius: 6px;
      object-fit: contain;
    }
    .brand {
      font-weight: 700;
      font-size: var(--nf-text-lg);
      flex: 1;
      min-width: 0;
      overflow-wrap: anywhere;
    }
    h1,
    h2 {
      line-height: 1.25;
      margin: var(--nf-space-3) 0;
      outline-offset: 4px;
    }
    h1 {
      font-size: var(--nf-text-xl);
    }
    h2 {
      font-size: var(--nf-text-lg);
    }
    .card {
      background: var(--nf-surface);
      border-radius: var(--nf-radius);
      padding: var(--nf-space-4);
      margin: var(--nf-space-4) 0;
      box-shadow: 0 1px 3px rgb(0 0 0 / 0.12);
    }
    .center {
      text-align: center;
    }
    .test-money {
      margin: 0 0 var(--nf-space-3);
      padding: var(--nf-space-2) var(--nf-space-3);
      background: var(--nf-warning-bg);
      color: var(--nf-warning-text);
      border: 2px dashed var(--nf-warning-text);
      border-radius: var(--nf-radius);
      font-weight: 700;
      text-align: center;
    }
    .packages {
      list-style: none;
      padding: 0;
      margin: 0;
      display: grid;
      gap: var(--nf-space-3);
    }
    button,
    input,
    select,
    .button {
      font: inherit;
      min-height: var(--nf-tap);
      border-radius: var(--nf-radius);
    }
    button:focus-visible,
    input:focus-visible,
    select:focus-visible,
    a:focus-visible,
    h1:focus-visible,
    h2:focus-visible {
      outline: 3px solid var(--nf-focus);
      outline-offset: 2px;
    }
    .package {
      width: 100%;
      display: grid;
      grid-template-columns: 1fr auto;
      gap: var(--nf-space-1) var(--nf-space-3);
      text-align: left;
      padding: var(--nf-space-3) var(--nf-space-4);
      background: var(--nf-surface);
      color: var(--nf-text);
      border: 2px solid var(--nf-border);
      cursor: pointer;
    }
    .package:hover {
      border-color: var(--nf-primary);
    }
    .pkg-name {
      font-weight: 700;
      font-size: var(--nf-text-lg);
      overflow-wrap: anywhere;
    }
    .pkg-price {
      font-weight: 700;
      color: var(--nf-primary);
      white-space: nowrap;
    }
    .pkg-meta {
      grid-column: 1 / -1;
      color: var(--nf-muted);
      font-size: var(--nf-text-sm);
    }
    label {
      display: block;
      font-weight: 600;
      margin: var(--nf-space-3) 0 var(--nf-space-1);
    }
    input,
    select {
      width: 100%;
      padding: var(--nf-space-2) var(--nf-space-3);
      border: 2px solid var(--nf-border);
      background: var(--nf-surface);
      color: var(--nf-text);
    }
    .row {
      display: flex;
      gap: var(--nf-space-2);
    }
    .row input {
      flex: 1;
      min-width: 0;
      text-transform: uppercase;
    }
    .primary {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      gap: var(--nf-space-2);
      padding: var(--nf-space-2) var(--nf-space-4);
      background: var(--nf-primary);
      color: var(--nf-primary-text);
      border: 0;
      font-weight: 700;
      cursor: pointer;
      text-decoration: none;
    }
    form > .primary,
    .card > .primary {
      width: 100%;
      margin-top: var(--nf-space-3);
    }
    .primary[disabled] {
      opacity: 0.7;
      cursor: progress;
    }
    .link,
    .lang {
      background: none;
      border: 0;
      color: var(--nf-primary);
      text-decoration: underline;
      cursor: pointer;
      padding: var(--nf-space-2);
    }
    .lang {
      font-size: var(--nf-text-sm);
      white-space: nowrap;
    }
    form > .link {
      width: 100%;
      margin-top: var(--nf-space-2);
    }
    .help {
      color: var(--nf-muted);
      font-size: var(--nf-text-sm);
      margin: var(--nf-space-1) 0 0;
    }
    .form-error:empty {
      display: none;
    }
    .form-error {
      color: var(--nf-danger);
      background: var(--nf-danger-bg);
      border-radius: var(--nf-radius);
      padding: var(--nf-space-2) var(--nf-space-3);
      margin: var(--nf-space-3) 0 0;
      font-weight: 600;
    }
    .big {
      font-size: var(--nf-text-xl);
      font-weight: 700;
      margin: var(--nf-space-2) 0;
    }
    .returning {
      border-left: 6px solid var(--nf-accent);
    }
    .code {
      font-family: var(--nf-font-mono);
      font-size: 2rem;
      letter-spacing: 0.15em;
      font-weight: 700;
      margin: var(--nf-space-3) 0;
      overflow-wrap: anywhere;
    }
    .tick {
      font-size: 3rem;
      line-height: 1;
      margin: var(--nf-space-2) 0 0;
      color: var(--nf-accent);
    }
    .notice {
      text-align: center;
      color: var(--nf-muted);
      min-height: 1.5em;
    }
    footer {
      text-align: center;
      margin-top: var(--nf-space-4);
    }
    footer a {
      color: var(--nf-primary);
    }
    .spinner {
      display: inline-block;
      width: 2.5rem;
      height: 2.5rem;
      border: 4px solid var(--nf-border);
      border-top-color: var(--nf-primary);
      border-radius: 50%;
      animation: spin 0.9s linear infinite;
      vertical-align: middle;
    }
    .spinner.small {
      width: 1.1rem;
      height: 1.1rem;
      border-width: 3px;
      border-color: rgb(255 255 255 / 0.5);
      border-top-color: #fff;
    }
    @keyframes spin {
      to {
        transform: rotate(360deg);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .spinner {
        animation-duration: 3s;
      }
    }
  `;
}
