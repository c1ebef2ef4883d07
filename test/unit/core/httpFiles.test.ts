/**
 * Copy as httpYac / REST Client request: the file has each tool's shape (variables, `###` requests,
 * `# @name token`, the named response referenced as that tool does), carries no secret, and — run by a
 * tiny interpreter of that shape with the variables set — gets a token from the sandbox and a report.
 */
import * as assert from 'node:assert/strict';
import { httpFileRequest, type HttpFileFlavor } from '../../../src/core/httpFiles';
import { buildDeviceInfo } from '../../../src/core/deviceInfo';
import { DcrClient } from '../../../src/core/dcr';
import { HttpClient } from '../../../src/core/http';
import { Sandbox } from '../../../src/sandbox/server';

interface Req { name?: string; method: string; target: string; headers: Record<string, string>; body: string }

/** the common .http shape: `@var = value`, `###` separators, `# @name`, request line, headers, blank, body */
function parseHttpFile(text: string): { vars: Record<string, string>; requests: Req[] } {
  const vars: Record<string, string> = {};
  const requests: Req[] = [];
  for (const block of text.split(/^###.*$/m)) {
    let req: Req | undefined;
    let name: string | undefined;
    let inBody = false;
    const body: string[] = [];
    for (const line of block.split('\n')) {
      if (!req) {
        const v = /^@(\w+)\s*=\s*(.*)$/.exec(line);
        if (v) vars[v[1]] = v[2];
        else if (/^#\s*@name\s+(\w+)$/.test(line)) name = /^#\s*@name\s+(\w+)$/.exec(line)![1];
        else if (/^(#|\/\/)/.test(line) || !line.trim()) continue;
        else {
          const m = /^(GET|POST) (\S+)$/.exec(line);
          assert.ok(m, `a request line: ${JSON.stringify(line)}`);
          req = { name, method: m[1], target: m[2], headers: {}, body: '' };
        }
      } else if (!inBody) {
        if (!line.trim()) inBody = true;
        else {
          const h = /^([\w-]+): (.+)$/.exec(line);
          assert.ok(h, `a header: ${JSON.stringify(line)}`);
          req.headers[h[1]] = h[2];
        }
      } else body.push(line);
    }
    if (req) requests.push({ ...req, body: body.join('\n').trim() });
  }
  return { vars, requests };
}

const subst = (s: string, vars: Record<string, string>, named: Record<string, unknown>, flavor: HttpFileFlavor): string =>
  s.replace(/\{\{([^}]+)\}\}/g, (_m, expr: string) => {
    const rc = /^(\w+)\.response\.body\.\$\.(\w+)$/.exec(expr);
    const yac = /^(\w+)\.(\w+)$/.exec(expr);
    if (flavor === 'restClient' && rc) return String((named[rc[1]] as Record<string, unknown>)[rc[2]]);
    if (flavor === 'httpyac' && yac && named[yac[1]]) return String((named[yac[1]] as Record<string, unknown>)[yac[2]]);
    assert.ok(expr in vars, `variable ${expr} is defined`);
    return vars[expr];
  });

describe('httpFiles: Copy as httpYac / REST Client request', () => {
  let sandbox: Sandbox;
  let creds: { clientId: string; clientSecret: string };
  before(async () => {
    sandbox = await Sandbox.start({ throttle: false });
    const reg = await new DcrClient({ http: new HttpClient({ timeoutMs: 5000 }), dcrOrigin: sandbox.dcrOrigin }).register(sandbox.statement);
    creds = { clientId: reg.clientId, clientSecret: reg.clientSecret };
  });
  after(() => sandbox.stop());

  for (const flavor of ['httpyac', 'restClient'] as const) {
    it(`${flavor}: the file's two requests get a token and the report from the sandbox; no secret in it`, async () => {
      const text = httpFileRequest(flavor, {
        dcrOrigin: sandbox.dcrOrigin,
        cmuBase: sandbox.cmuBase,
        href: '/tenant/year?access_token=LEAKED-TOKEN',
        deviceInfo: buildDeviceInfo(),
        title: 'Yearly\n### GET http://evil.example/',
      });
      assert.ok(!text.includes('LEAKED-TOKEN'), 'an access_token parameter is dropped');
      assert.ok(!text.includes(creds.clientSecret) && !text.includes(creds.clientId), 'no credential inline');
      assert.ok(!/^(GET|POST) http:\/\/evil/m.test(text), 'a title never adds a request line');
      const { vars, requests } = parseHttpFile(text);
      assert.equal(requests.length, 2);
      const [tokenReq, report] = requests;
      assert.equal(tokenReq.name, 'token');
      assert.match(tokenReq.body, /client_id=\{\{clientId\}\}&client_secret=\{\{clientSecret\}\}&grant_type=client_credentials/);
      assert.equal(report.method, 'GET');
      assert.match(report.headers.Authorization, flavor === 'httpyac' ? /\{\{token\.access_token\}\}/ : /\{\{token\.response\.body\.\$\.access_token\}\}/);

      // what the tool does, with the user's environment holding the secrets
      const env = { ...vars, ...creds };
      const named: Record<string, unknown> = {};
      const t = await fetch(subst(tokenReq.target, env, named, flavor), { method: 'POST', headers: tokenReq.headers, body: subst(tokenReq.body, env, named, flavor) });
      assert.ok(t.ok, `${t.status} ${await t.clone().text()}`);
      named.token = await t.json();
      const headers = Object.fromEntries(Object.entries(report.headers).map(([k, v]) => [k, subst(v, env, named, flavor)]));
      const r = await fetch(subst(report.target, env, named, flavor), { headers });
      assert.equal(r.status, 200, await r.clone().text());
      assert.ok(JSON.parse(await r.text()), 'a JSON report');
    });
  }

  it('without an environment the hosts stay variables to set (commented), never a guess', () => {
    const text = httpFileRequest('restClient', { href: '/ACME/year', deviceInfo: 'e30=' });
    assert.match(text, /^# @dcrOrigin = https:\/\/…/m);
    assert.match(text, /^GET \{\{cmuBase\}\}\/ACME\/year$/m);
  });
});
