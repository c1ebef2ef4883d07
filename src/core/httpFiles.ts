/**
 * A CMU report as a request file for the REST clients teams already use: httpYac and REST Client
 * (`.http`). Both files hold two requests: the access token by the OAuth2 client-credentials grant
 * (Adobe's DCR token endpoint, form body) and the report with that token. Secrets stay variables
 * (`{{clientId}}`, `{{clientSecret}}`, set in the tool's environment or a `.env`): this module never
 * receives one, and drops an `access_token` parameter a URL may carry.
 */
import { TOKEN_PATH } from './dcr';

export type HttpFileFlavor = 'httpyac' | 'restClient';

export interface HttpFileInput {
  /** the environment's DCR origin; undefined: left as a variable to set */
  dcrOrigin?: string;
  /** the environment's CMU base URL; undefined: left as a variable to set */
  cmuBase?: string;
  /** the report's path and query, relative to the CMU base (`/tenant/year?start=…`) */
  href: string;
  /** the `X-Device-Info` value the token request sends (device facts, Base64; not a secret) */
  deviceInfo: string;
  /** a title for the comment line (the query's name or description) */
  title?: string;
}

/** one line, printable: a title or a value never opens a new request line */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

/** the path and query as a request-line target: no whitespace, no token parameter */
function target(href: string): string {
  const u = new URL(href.startsWith('/') ? href : `/${href}`, 'http://cmu.invalid');
  u.searchParams.delete('access_token');
  return `${u.pathname}${u.search}`;
}

/** the variable that holds the token request's `access_token` in each tool */
const TOKEN_REF: Record<HttpFileFlavor, string> = {
  httpyac: '{{token.access_token}}',
  restClient: '{{token.response.body.$.access_token}}',
};

const SECRETS_HINT: Record<HttpFileFlavor, string> = {
  httpyac: 'set clientId and clientSecret in an httpYac environment (.env file or httpyac.config.js), never in this file',
  restClient: 'set clientId and clientSecret in a REST Client environment ("rest-client.environmentVariables" in your settings), never in this file',
};

export function httpFileRequest(flavor: HttpFileFlavor, input: HttpFileInput): string {
  const tool = flavor === 'httpyac' ? 'httpYac' : 'REST Client';
  const lines: string[] = [];
  lines.push(`# CMU report${input.title ? `: ${oneLine(input.title)}` : ''} (${tool})`);
  lines.push(`# Secrets: ${SECRETS_HINT[flavor]}.`);
  lines.push(input.dcrOrigin ? `@dcrOrigin = ${oneLine(new URL(input.dcrOrigin).origin)}` : '# @dcrOrigin = https://… (the DCR origin of your environment)');
  lines.push(input.cmuBase ? `@cmuBase = ${oneLine(input.cmuBase.replace(/\/+$/, ''))}` : '# @cmuBase = https://…/cmu/v2 (the CMU base URL of your environment)');
  lines.push('');
  lines.push('### Access token (OAuth2 client credentials)');
  lines.push('# @name token');
  lines.push(`POST {{dcrOrigin}}${TOKEN_PATH}`);
  lines.push('Content-Type: application/x-www-form-urlencoded');
  lines.push('Accept: application/json');
  lines.push(`X-Device-Info: ${oneLine(input.deviceInfo)}`);
  lines.push('');
  lines.push('client_id={{clientId}}&client_secret={{clientSecret}}&grant_type=client_credentials');
  lines.push('');
  lines.push(`### Report${input.title ? `: ${oneLine(input.title)}` : ''}`);
  lines.push(`GET {{cmuBase}}${target(input.href)}`);
  lines.push(`Authorization: Bearer ${TOKEN_REF[flavor]}`);
  lines.push('Accept: application/json');
  lines.push('');
  return lines.join('\n');
}
