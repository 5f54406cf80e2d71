// What a page offers to probe: its same-origin links and its forms, read with htmlparser2; and the
// injection points (query parameters, form fields) with the requests that fill one of them.
import { Parser } from 'htmlparser2';
import type { ProbeRequest } from '../../../src/report/security-report.js';

export interface FormField {
  name: string;
  type: string;
  value: string;
}

export interface PageForm {
  /** Absolute URL the form submits to. */
  action: string;
  method: 'GET' | 'POST';
  fields: FormField[];
}

export interface PageInfo {
  links: string[];
  forms: PageForm[];
}

export interface InjectionPoint {
  method: 'GET' | 'POST';
  /** The URL without its query (GET points carry their parameters in `params`). */
  url: string;
  /** Every parameter with its original value. */
  params: Record<string, string>;
  /** The parameter the probe fills. */
  name: string;
  where: 'query' | 'form';
}

function resolveUrl(ref: string, base: string): string | undefined {
  try {
    const u = new URL(ref, base);
    u.hash = '';
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** Links and forms of an HTML page. */
export function extractPage(html: string, pageUrl: string): PageInfo {
  const links: string[] = [];
  const forms: PageForm[] = [];
  let form: PageForm | undefined;
  let textarea: FormField | undefined;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if ((name === 'a' || name === 'area') && attrs.href) {
          const url = resolveUrl(attrs.href, pageUrl);
          if (url) links.push(url);
        } else if (name === 'form') {
          const action = resolveUrl(attrs.action ?? '', pageUrl) ?? pageUrl;
          form = { action, method: (attrs.method ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET', fields: [] };
          forms.push(form);
        } else if (form && (name === 'input' || name === 'select' || name === 'button') && attrs.name) {
          const type = (attrs.type ?? (name === 'input' ? 'text' : name)).toLowerCase();
          if (type !== 'submit' && type !== 'button' && type !== 'image' && type !== 'reset') form.fields.push({ name: attrs.name, type, value: attrs.value ?? '' });
        } else if (form && name === 'textarea' && attrs.name) {
          textarea = { name: attrs.name, type: 'textarea', value: '' };
          form.fields.push(textarea);
        }
      },
      ontext(text) {
        if (textarea) textarea.value += text;
      },
      onclosetag(name) {
        if (name === 'form') form = undefined;
        if (name === 'textarea') textarea = undefined;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return { links: [...new Set(links)], forms };
}

export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** One key per page shape: a path with the same parameter names is probed once. */
export function shapeKey(method: string, url: string, names: readonly string[]): string {
  const u = new URL(url);
  return `${method} ${u.origin}${u.pathname}?${[...names].sort().join('&')}`;
}

/** The points of a page URL's query and of its forms (fields a user can type into, hidden ones too). */
export function injectionPoints(pageUrl: string, info: PageInfo): InjectionPoint[] {
  const points: InjectionPoint[] = [];
  const u = new URL(pageUrl);
  const query = Object.fromEntries(u.searchParams);
  u.search = '';
  for (const name of Object.keys(query)) points.push({ method: 'GET', url: u.href, params: query, name, where: 'query' });
  for (const form of info.forms) {
    const params: Record<string, string> = {};
    for (const f of form.fields) params[f.name] = f.value || (f.type === 'number' ? '1' : f.type === 'email' ? 'probe@example.com' : 'probe');
    const action = new URL(form.action);
    if (form.method === 'GET') {
      for (const [k, v] of action.searchParams) params[k] ??= v;
      action.search = '';
    }
    for (const f of form.fields) {
      if (['checkbox', 'radio', 'file', 'hidden'].includes(f.type) && /csrf|xsrf|token|nonce/i.test(f.name)) continue; // anti-forgery tokens are not inputs
      points.push({ method: form.method, url: action.href, params, name: f.name, where: 'form' });
    }
  }
  return points;
}

/** The request that sends `value` in the point's parameter, every other parameter as it was. */
export function requestFor(point: InjectionPoint, value: string): ProbeRequest {
  const params = new URLSearchParams({ ...point.params, [point.name]: value });
  if (point.method === 'GET') {
    const u = new URL(point.url);
    u.search = params.toString();
    return { method: 'GET', url: u.href };
  }
  return { method: 'POST', url: point.url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params.toString() };
}
