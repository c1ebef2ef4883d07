/**
 * Tiny DOM helpers. Every piece of text goes in through textContent / attributes set by name: no
 * HTML string is ever built from report values (a dimension value `<img src=x onerror=...>` stays text).
 */
type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | undefined | null | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

/** Replaces the children through a fragment: spreading many nodes into one call (200k columns) overflows the stack. */
export function setChildren(el: Element, nodes: readonly Node[]): void {
  const f = document.createDocumentFragment();
  for (const n of nodes) f.appendChild(n);
  el.replaceChildren(f);
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** A button that runs `onClick`; `label` is text. */
export function button(label: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', (e) => {
    e.preventDefault();
    onClick();
  });
  return b;
}

/** A link-looking button (keyboard: Enter/Space as buttons do). */
export function linkButton(label: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const b = button(label, onClick, attrs);
  b.classList.add('link');
  return b;
}
