import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Language } from '../../policy/schema.js';
import type { AppDeps } from '../context.js';
import { findPublishingOrganization, privacyNoticePath } from './cookie-consent-support.js';

export const CookieBannerQuery = z.strictObject({
  /**
   * The page's language (a BCP 47 tag such as `fr` or `fr-CA`). Its primary subtag is used when
   * the policy publishes its notice in it; otherwise, and when left out, the policy's default.
   */
  lang: z
    .string()
    .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}$/, 'must be a language tag such as "en"')
    .optional(),
});
export type CookieBannerQuery = z.input<typeof CookieBannerQuery>;

export interface CookieBanner {
  language: Language;
  policyVersionId: string;
  /** A strong validator: changes with the policy version, the language and the script itself. */
  etag: string;
  script: string;
}

interface BannerText {
  title: string;
  intro: string;
  alwaysOn: string;
  allow: string;
  acceptAll: string;
  refuseAll: string;
  save: string;
  privacyNotice: string;
  saving: string;
  failed: string;
  gpc: string;
}

/** The banner's own words; the cookies' labels and purposes come from the policy. */
const BANNER_TEXT: Record<Language, BannerText> = {
  en: {
    title: 'Cookies',
    intro:
      'We use the cookies below. Strictly necessary cookies are always on; the others only if you allow them. You can change your choice at any time.',
    alwaysOn: 'Always on',
    allow: 'Allow',
    acceptAll: 'Accept all',
    refuseAll: 'Refuse all',
    save: 'Save my choices',
    privacyNotice: 'Privacy notice',
    saving: 'Saving…',
    failed: 'Your choices could not be saved. Please try again.',
    gpc: 'Your browser sends a Global Privacy Control signal, which we honour: cookies that need your consent stay off.',
  },
  es: {
    title: 'Cookies',
    intro:
      'Usamos las cookies siguientes. Las estrictamente necesarias están siempre activas; las demás, solo si usted las permite. Puede cambiar su elección en cualquier momento.',
    alwaysOn: 'Siempre activas',
    allow: 'Permitir',
    acceptAll: 'Aceptar todas',
    refuseAll: 'Rechazar todas',
    save: 'Guardar mis preferencias',
    privacyNotice: 'Aviso de privacidad',
    saving: 'Guardando…',
    failed: 'No se pudieron guardar sus preferencias. Inténtelo de nuevo.',
    gpc: 'Su navegador envía una señal de Control Global de Privacidad (GPC), que respetamos: las cookies que requieren su consentimiento permanecen desactivadas.',
  },
  fr: {
    title: 'Cookies',
    intro:
      'Nous utilisons les cookies ci-dessous. Les cookies strictement nécessaires sont toujours actifs ; les autres, seulement si vous les autorisez. Vous pouvez modifier votre choix à tout moment.',
    alwaysOn: 'Toujours actifs',
    allow: 'Autoriser',
    acceptAll: 'Tout accepter',
    refuseAll: 'Tout refuser',
    save: 'Enregistrer mes choix',
    privacyNotice: 'Avis de confidentialité',
    saving: 'Enregistrement…',
    failed: "Vos choix n'ont pas pu être enregistrés. Veuillez réessayer.",
    gpc: 'Votre navigateur envoie un signal Global Privacy Control (GPC), que nous respectons : les cookies qui exigent votre consentement restent désactivés.',
  },
};

/**
 * The banner's code. Policy text reaches the page only through `textContent` and attribute
 * values, never parsed as markup, so a label can never run as script. Styles are set through the
 * CSSOM (element.style), which a host page's Content Security Policy allows without
 * 'unsafe-inline'. The markup lives in an open shadow root, away from the host page's styles.
 */
const BANNER_SCRIPT = `/* Custodia cookie banner: generated from the organisation's active privacy policy. */
(() => {
  'use strict';
  const CONFIG = __CUSTODIA_CONFIG__;
  const script = document.currentScript;
  const base = script instanceof HTMLScriptElement && script.src !== '' ? script.src : window.location.href;
  const storageKey = 'custodia-cookies:' + CONFIG.slug;
  const cookies = new Map(CONFIG.cookies.map((cookie) => [cookie.id, cookie]));
  const optional = CONFIG.cookies.filter((cookie) => !cookie.strictlyNecessary);
  const isGpcActive = CONFIG.honoursGpc && navigator.globalPrivacyControl === true;

  function readStored() {
    try {
      const parsed = JSON.parse(window.localStorage.getItem(storageKey) || 'null');
      return parsed !== null && typeof parsed === 'object' ? parsed : {};
    } catch (error) {
      return {};
    }
  }
  function writeStored(value) {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(value));
    } catch (error) {
      // Storage blocked: the choices hold for this page only.
    }
  }
  function newVisitorId() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  let stored = readStored();
  if (typeof stored.visitorId !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(stored.visitorId)) {
    stored = { visitorId: newVisitorId() };
    writeStored(stored);
  }
  // Choices given under another policy version do not carry over: the banner asks again.
  let choices =
    stored.policyVersionId === CONFIG.policyVersionId && stored.choices !== null && typeof stored.choices === 'object'
      ? stored.choices
      : null;

  function allowed(cookieId) {
    const cookie = cookies.get(cookieId);
    if (cookie === undefined) {
      return false;
    }
    if (cookie.strictlyNecessary) {
      return true;
    }
    if (choices === null) {
      return !cookie.consentRequired && !isGpcActive;
    }
    return choices[cookieId] === true;
  }

  function element(tag, text, styles) {
    const node = document.createElement(tag);
    if (text !== undefined) {
      node.textContent = text;
    }
    Object.assign(node.style, styles || {});
    return node;
  }

  let host = null;
  let status = null;
  const buttons = [];
  const toggles = new Map();

  function close() {
    if (host !== null) {
      host.remove();
      host = null;
    }
  }

  function setBusy(isBusy, message) {
    buttons.forEach((button) => {
      button.disabled = isBusy;
    });
    if (status !== null) {
      status.textContent = message;
    }
  }

  function submit(sent) {
    setBusy(true, CONFIG.text.saving);
    return fetch(new URL(CONFIG.consentsPath, base).href, {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ visitorId: stored.visitorId, choices: sent }),
    })
      .then((response) => {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.json();
      })
      .then((receipt) => {
        choices = receipt.choices;
        stored = {
          visitorId: stored.visitorId,
          receiptId: receipt.receiptId,
          policyVersionId: receipt.policy.versionId,
          choices: receipt.choices,
          gpc: receipt.gpc,
        };
        writeStored(stored);
        close();
        window.dispatchEvent(
          new CustomEvent('custodia-cookies:change', {
            detail: { receiptId: receipt.receiptId, choices: Object.assign({}, receipt.choices) },
          }),
        );
        return receipt;
      })
      .catch(() => {
        setBusy(false, CONFIG.text.failed);
        return null;
      });
  }

  function everyOptional(value) {
    const sent = {};
    optional.forEach((cookie) => {
      sent[cookie.id] = value;
    });
    return sent;
  }

  function button(action, text) {
    const node = element('button', text, {
      font: 'inherit',
      padding: '8px 14px',
      margin: '4px 8px 0 0',
      border: '1px solid #1f2937',
      borderRadius: '4px',
      background: '#ffffff',
      color: '#111827',
      cursor: 'pointer',
    });
    node.type = 'button';
    node.setAttribute('data-custodia-action', action);
    buttons.push(node);
    return node;
  }

  function show() {
    close();
    buttons.length = 0;
    toggles.clear();
    host = document.createElement('div');
    host.setAttribute('data-custodia-cookie-banner', '');
    const root = typeof host.attachShadow === 'function' ? host.attachShadow({ mode: 'open' }) : host;
    const panel = element('section', undefined, {
      position: 'fixed',
      left: '0',
      right: '0',
      bottom: '0',
      zIndex: '2147483647',
      maxHeight: '80vh',
      overflowY: 'auto',
      boxSizing: 'border-box',
      padding: '16px 20px',
      background: '#ffffff',
      color: '#111827',
      borderTop: '2px solid #1f2937',
      boxShadow: '0 -4px 16px rgba(0, 0, 0, 0.15)',
      font: '14px/1.45 system-ui, sans-serif',
    });
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', CONFIG.text.title);
    panel.setAttribute('lang', CONFIG.language);
    panel.appendChild(element('h2', CONFIG.text.title + ' · ' + CONFIG.organizationName, { font: 'inherit', fontWeight: '700', fontSize: '16px', margin: '0 0 6px' }));
    panel.appendChild(element('p', CONFIG.text.intro, { margin: '0 0 8px' }));
    if (isGpcActive) {
      panel.appendChild(element('p', CONFIG.text.gpc, { margin: '0 0 8px', fontWeight: '600' }));
    }
    const list = element('ul', undefined, { listStyle: 'none', padding: '0', margin: '0 0 8px' });
    CONFIG.cookies.forEach((cookie) => {
      const item = element('li', undefined, { padding: '6px 0', borderBottom: '1px solid #e5e7eb' });
      item.setAttribute('data-custodia-cookie', cookie.id);
      const heading = element('label', undefined, { display: 'flex', gap: '8px', alignItems: 'center', fontWeight: '600' });
      if (cookie.strictlyNecessary) {
        heading.appendChild(element('span', cookie.label));
        heading.appendChild(element('span', '(' + CONFIG.text.alwaysOn + ')', { fontWeight: '400' }));
      } else {
        const toggle = document.createElement('input');
        toggle.type = 'checkbox';
        toggle.setAttribute('data-custodia-toggle', cookie.id);
        toggle.checked = !isGpcActive && allowed(cookie.id);
        toggle.disabled = isGpcActive;
        toggles.set(cookie.id, toggle);
        heading.appendChild(toggle);
        heading.appendChild(element('span', cookie.label));
        heading.appendChild(element('span', '(' + CONFIG.text.allow + ')', { fontWeight: '400' }));
      }
      item.appendChild(heading);
      item.appendChild(element('div', cookie.purpose, { color: '#374151', fontSize: '13px' }));
      list.appendChild(item);
    });
    panel.appendChild(list);
    const actions = element('div');
    actions.appendChild(button('refuse-all', CONFIG.text.refuseAll)).addEventListener('click', () => {
      void submit(everyOptional(false));
    });
    actions.appendChild(button('accept-all', CONFIG.text.acceptAll)).addEventListener('click', () => {
      void submit(everyOptional(true));
    });
    actions.appendChild(button('save', CONFIG.text.save)).addEventListener('click', () => {
      const sent = {};
      toggles.forEach((toggle, cookieId) => {
        sent[cookieId] = toggle.checked;
      });
      void submit(sent);
    });
    panel.appendChild(actions);
    const notice = element('a', CONFIG.text.privacyNotice, { display: 'inline-block', marginTop: '8px', color: '#1d4ed8' });
    notice.href = new URL(CONFIG.privacyNoticePath, base).href;
    notice.target = '_blank';
    notice.rel = 'noopener';
    panel.appendChild(notice);
    status = element('p', '', { margin: '6px 0 0' });
    status.setAttribute('role', 'status');
    panel.appendChild(status);
    root.appendChild(panel);
    (document.body || document.documentElement).appendChild(host);
  }

  window.CustodiaCookies = Object.freeze({
    /** Whether the visitor allows this cookie now (strictly necessary ones always). */
    allowed,
    /** The visitor's recorded choices, or null before any. */
    choices: () => (choices === null ? null : Object.assign({}, choices)),
    /** The id of the consent receipt the server returned, or null before any. */
    receiptId: () => (choices === null ? null : stored.receiptId || null),
    visitorId: () => stored.visitorId,
    /** Shows the banner again, so a choice is as easy to change as to give (GDPR Art. 7(3)). */
    open: () => {
      if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', show, { once: true });
      } else {
        show();
      }
    },
  });

  // Nothing to ask when every cookie is strictly necessary, or when this version was answered.
  if (choices === null && optional.length > 0) {
    window.CustodiaCookies.open();
  }
})();
`;

/** JSON that is also safe inside a <script> element and in every JavaScript engine. */
function scriptLiteral(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function languageOf(tag: string | undefined, published: readonly Language[], fallback: Language) {
  const primary = Language.safeParse(tag?.split('-')[0]?.toLowerCase());
  return primary.success && published.includes(primary.data) ? primary.data : fallback;
}

/**
 * The cookie banner of an organisation, generated from the cookies its active policy declares,
 * in the language asked for when the policy publishes in it. Public: any page may include it.
 */
export async function renderCookieBanner(
  deps: Pick<AppDeps, 'store' | 'policies'>,
  input: { slug: string; language?: string | undefined },
): Promise<CookieBanner> {
  const { organization, active } = await findPublishingOrganization(deps, input.slug);
  const document = active.policy.document;
  const fallback = document.organisation.default_language;
  const language = languageOf(input.language, document.organisation.notice_languages, fallback);
  const textOf = (text: Partial<Record<Language, string>>, id: string): string =>
    text[language] ?? text[fallback] ?? Object.values(text)[0] ?? id;
  const config = {
    slug: organization.slug,
    organizationName: document.organisation.name,
    policyVersionId: active.versionId,
    language,
    consentsPath: `/api/v1/organizations/${encodeURIComponent(organization.slug)}/cookie-consents`,
    privacyNoticePath: `${privacyNoticePath(organization.slug)}?lang=${language}`,
    honoursGpc: document.marketing?.honour_gpc === true,
    text: BANNER_TEXT[language],
    cookies: document.cookies.map((cookie) => ({
      id: cookie.id,
      label: textOf(cookie.labels, cookie.id),
      purpose: textOf(cookie.purpose, ''),
      strictlyNecessary: cookie.strictly_necessary,
      consentRequired: cookie.consent_required,
    })),
  };
  const script = BANNER_SCRIPT.replace('__CUSTODIA_CONFIG__', () => scriptLiteral(config));
  const digest = createHash('sha256').update(script).digest('base64url').slice(0, 22);
  return {
    language,
    policyVersionId: active.versionId,
    etag: `"${active.versionId}.${language}.${digest}"`,
    script,
  };
}
