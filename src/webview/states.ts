/** Loading (with cancel), empty, cancelled and error states. Error next steps are clickable links. */
import type { ErrorView, NavLink } from '../shared/protocol';
import { button, h, linkButton } from './dom';

export interface StateHandlers {
  cancel(): void;
  retry(): void;
  errorAction(id: string): void;
  navigate(linkId: string): void;
}

export function renderLoading(host: HTMLElement, handlers: StateHandlers): void {
  host.replaceChildren(
    h(
      'div',
      { class: 'state loading', role: 'status', 'aria-live': 'polite' },
      h('div', { class: 'progress', 'aria-hidden': 'true' }),
      h('span', { text: 'Loading report…' }),
      button('Cancel', handlers.cancel, { class: 'secondary', 'data-action': 'cancel' }),
    ),
  );
}

export function renderEmpty(host: HTMLElement, drillDown: NavLink[], handlers: StateHandlers): void {
  host.replaceChildren(
    h(
      'div',
      { class: 'state empty', role: 'status' },
      h('h2', { text: 'No records' }),
      h('p', { text: 'The server returned an empty report for this query. Try a wider time range, remove a filter, or roll up to a coarser path.' }),
      drillDown.length ? h('p', { text: 'Drill-down links are still available above.' }) : undefined,
      button('Refresh', handlers.retry, { class: 'secondary', 'data-action': 'refresh' }),
    ),
  );
}

export function renderCancelled(host: HTMLElement, handlers: StateHandlers): void {
  host.replaceChildren(
    h('div', { class: 'state cancelled', role: 'status' }, h('p', { text: 'The request was cancelled.' }), button('Run again', handlers.retry, { 'data-action': 'refresh' })),
  );
}

export function renderError(host: HTMLElement, err: ErrorView, handlers: StateHandlers): void {
  const box = h(
    'div',
    { class: 'state error', role: 'alert' },
    h('h2', { text: err.message }),
    h('p', { class: 'explanation', text: err.explanation }),
  );
  if (err.serverText) box.append(h('p', { class: 'k', text: 'The server said:' }), h('pre', { class: 'server-text', text: err.serverText }));
  if (err.nextSteps.length) {
    const list = h('ul', { class: 'next-steps', 'aria-label': 'Valid next steps' });
    for (const s of err.nextSteps) {
      const li = h('li', {}, linkButton(s.label, () => handlers.navigate(s.id), { title: s.href, 'data-link': s.id }));
      if (s.detail) li.append(h('span', { class: 'detail', text: ` ${s.detail}` }));
      list.append(li);
    }
    box.append(h('p', { text: 'Valid next steps from here:' }), list);
  }
  if (err.actions.length) {
    const row = h('div', { class: 'actions' });
    err.actions.forEach((a, i) => row.append(button(a.label, () => handlers.errorAction(a.id), { class: i === 0 ? 'primary' : 'secondary', 'data-error-action': a.id })));
    box.append(row);
  }
  box.append(h('p', { class: 'code', text: `code: ${err.code}${err.status ? ` · HTTP ${err.status}` : ''}` }));
  host.replaceChildren(box);
}
