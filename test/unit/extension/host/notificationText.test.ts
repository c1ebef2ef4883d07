import * as assert from 'node:assert/strict';
import { notificationText } from '../../../../src/extension/host/notificationText';

// The link syntax of VS Code's notifications (vs/base/common/linkedText.ts): [label](https|command|file:…)
const LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;

describe('notification text: server text never renders as a link', () => {
  it('breaks [text](command:…), [text](https://…) and [text](file:…), keeps the words', () => {
    const hostile = 'Bad request: [click to fix](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D) or [docs](https://evil.example/x "t") [f](file:///etc/passwd) [a] (https://ok)';
    const shown = notificationText(hostile);
    assert.equal(shown.match(LINK), null, shown);
    assert.match(shown, /click to fix/);
    assert.match(shown, /evil\.example/);
    assert.equal(notificationText('HTTP 400: the report is empty (no rows)'), 'HTTP 400: the report is empty (no rows)');
  });
});
