/**
 * The extension manifest (package.json `contributes`) against the code and the README: what a user sees
 * in the palette, the menus, the settings and the walkthrough must exist, be named and be documented.
 * (The integration suite checks the same commands are registered in a real extension host.)
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
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

/** the ids registered by src/extension/connection/* (the issue-4 scripting contract) */
function coreCommandIds(): string[] {
  const dir = path.join(ROOT, 'src/extension/connection');
  return fs
    .readdirSync(dir)
    .flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/registerCommand\(ctx, '([\w.]+)'/g)].map((m) => m[1]));
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

  it('activates on its commands, views and panels only (no "*", nothing at start-up)', () => {
    const events: string[] = pkg.activationEvents;
    for (const e of events) assert.match(e, /^on(Command|View|WebviewPanel):cmu[.\w]*$/, e);
    for (const e of events.filter((x) => x.startsWith('onCommand:'))) assert.ok(commands.has(e.slice(10)), `${e}: no such command`);
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

  it('the README command table documents exactly the commands of src/extension/connection', () => {
    const ids = coreCommandIds();
    assert.ok(ids.length >= 14, ids.join());
    const section = readme.slice(readme.indexOf('## The extension'), readme.indexOf('**Secrets**'));
    const documented = [...section.matchAll(/^\| `(cmu\.[\w.]+)`(?: \/ `(cmu\.[\w.]+)`)?/gm)].flatMap((m) => m.slice(1).filter(Boolean));
    assert.deepStrictEqual([...documented].sort(), [...ids].sort());
    for (const id of ids) assert.ok(commands.has(id), `${id} is not contributed`);
  });
});
