/**
 * The extension manifest (package.json `contributes`) against the code and the README: what a user sees
 * in the palette, the menus, the settings and the walkthrough must exist, be named and be documented.
 * (The integration suite checks the same commands are registered in a real extension host.)
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Cmd, Ctx, View } from '../../../src/extension/host/ids';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const contributes = pkg.contributes;
const commands = new Map<string, { command: string; title: string; category?: string; icon?: string }>(
  contributes.commands.map((c: { command: string }) => [c.command, c]),
);
const settings = contributes.configuration.properties as Record<string, { scope?: string }>;
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** `command:id` links of a markdown/welcome text */
function commandLinks(text: string): string[] {
  return [...text.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]);
}

/** the connection commands (statement, token, environment, sandbox, diagnose: the scripting contract in the README) */
function coreCommandIds(): string[] {
  const dir = path.join(ROOT, 'src/extension/connection');
  return fs
    .readdirSync(dir)
    .flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/registerCommand\(services, Cmd\.(\w+)/g)].map((m) => Cmd[m[1] as keyof typeof Cmd]));
}

/** every .ts file under src/ */
function sources(dir = path.join(ROOT, 'src')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('extension manifest', () => {
  it('every command has category CMU and a title; no title repeats the category', () => {
    for (const c of commands.values()) {
      assert.strictEqual(c.category, 'CMU', `${c.command} category`);
      assert.ok(c.title && !/^CMU\b/.test(c.title), `${c.command} title "${c.title}"`);
    }
  });

  it('menus name contributed commands; inline, title-bar and editor-title buttons have icons', () => {
    for (const [menu, items] of Object.entries(contributes.menus as Record<string, { command: string; group?: string }[]>)) {
      for (const item of items) {
        const c = commands.get(item.command);
        assert.ok(c, `${menu}: ${item.command} is not contributed`);
        const group = item.group ?? '';
        const button = /\/title$/.test(menu) ? /^navigation/.test(group) : /^inline/.test(group);
        if (button) assert.ok(c.icon, `${item.command} shows as a button in ${menu} without an icon`);
      }
    }
  });

  it('the command ids in the code are the contributed ones: every Cmd is contributed, every contributed command is a Cmd', () => {
    const constants = Object.values(Cmd) as string[];
    assert.deepStrictEqual([...new Set(constants)].sort(), [...commands.keys()].sort());
    const views = Object.values(contributes.views as Record<string, { id: string }[]>).flat().map((v) => v.id);
    for (const v of [View.connection, View.queries]) assert.ok(views.includes(v), `view ${v}`);
    // every context key the code sets is used by a `when` clause of the manifest, and the other way round
    const whens: string[] = JSON.stringify(contributes).match(/cmu\.[\w.]+/g) ?? [];
    for (const k of Object.values(Ctx)) assert.ok(whens.includes(k), `context key ${k} is not used in package.json`);
  });

  it('no hand-typed command id or context key in src/ outside host/ids.ts', () => {
    const known = new Set<string>([...Object.values(Cmd), ...Object.values(Ctx), ...Object.values(View)]);
    for (const file of sources().filter((f) => !f.endsWith(path.join('host', 'ids.ts')))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/['"](cmu\.[\w.]+)['"]/g)) {
        assert.ok(!known.has(m[1]), `${path.relative(ROOT, file)}: '${m[1]}' (use host/ids.ts)`);
      }
    }
  });

  it('activates on its commands and views implicitly (VS Code ≥ 1.74); only the report panel serializer is declared', () => {
    assert.match(pkg.engines.vscode, /^\^1\.(7[4-9]|[89]\d|1\d\d)\./);
    assert.deepStrictEqual(pkg.activationEvents, [`onWebviewPanel:${View.report}`]);
  });

  it('endpoint settings are machine/application scoped and listed as restricted in untrusted workspaces', () => {
    const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
    for (const name of restricted) assert.ok(settings[name], `restricted ${name} is not a setting`);
    const endpoints = Object.keys(settings).filter((k) => /(dcrOrigin|cmuBase|redirectUri|deviceInfo|environment|profile)$/.test(k));
    assert.ok(endpoints.length >= 10, endpoints.join());
    for (const k of endpoints) {
      assert.ok(restricted.includes(k), `${k} is not in restrictedConfigurations`);
      assert.match(settings[k].scope ?? 'window', /^(machine|application)$/, `${k} scope`);
    }
  });

  it('the walkthrough and the welcome views link to contributed commands; walkthrough media exist', () => {
    const links: string[] = [];
    for (const w of contributes.walkthroughs) {
      for (const s of w.steps) {
        links.push(...commandLinks(s.description));
        if (s.media?.markdown) assert.ok(fs.existsSync(path.join(ROOT, s.media.markdown)), s.media.markdown);
        for (const e of s.completionEvents ?? []) if (e.startsWith('onCommand:')) links.push(e.slice(10));
      }
    }
    for (const v of contributes.viewsWelcome) links.push(...commandLinks(v.contents));
    for (const id of links.filter((l) => l.startsWith('cmu.'))) assert.ok(commands.has(id), `link to ${id}`);
    const steps = contributes.walkthroughs[0].steps.map((s: { id: string }) => s.id);
    for (const [a, b] of [['import', 'register'], ['register', 'token'], ['token', 'report']]) {
      assert.ok(steps.indexOf(a) < steps.indexOf(b), `walkthrough: ${a} before ${b}`);
    }
  });

  it('walkthrough steps complete from state: import/register/token by context keys the extension sets', () => {
    const ctx = new Set<string>(Object.values(Ctx));
    const events = new Map<string, string[]>(contributes.walkthroughs[0].steps.map((s: { id: string; completionEvents?: string[] }) => [s.id, s.completionEvents ?? []]));
    for (const [id, key] of [['import', Ctx.hasStatement], ['register', Ctx.hasClient], ['token', Ctx.hasToken], ['sandbox', Ctx.sandboxRunning]]) {
      assert.ok(events.get(id)?.includes(`onContext:${key}`), `${id} completes on ${key}`);
    }
    for (const e of [...events.values()].flat()) if (e.startsWith('onContext:')) assert.ok(ctx.has(e.slice(10)), `${e} is a Ctx key`);
    // a newcomer without a statement file is offered the sandbox on the Import step
    const importStep = contributes.walkthroughs[0].steps.find((s: { id: string }) => s.id === 'import');
    assert.match(importStep.description, /command:cmu\.startSandbox/);
  });

  it('the README command table documents exactly the commands of src/extension/connection', () => {
    const ids = coreCommandIds();
    assert.ok(ids.length >= 14, ids.join());
    const section = readme.slice(readme.indexOf('## The extension'), readme.indexOf('**Secrets**'));
    const documented = [...section.matchAll(/^\| `(cmu\.[\w.]+)`(?: \/ `(cmu\.[\w.]+)`)?/gm)].flatMap((m) => m.slice(1).filter(Boolean));
    assert.deepStrictEqual([...documented].sort(), [...ids].sort());
    for (const id of ids) assert.ok(commands.has(id), `${id} is not contributed`);
  });
});
