/**
 * VS Code renders `[text](https://…)`, `[text](command:…)` and `[text](file:…)` in a notification as a
 * clickable link (its linked-text parser knows no backslash escapes): server text shown there could
 * offer a link that runs a command. A space between `]` and `(` breaks the syntax and keeps every
 * character visible.
 */
export function notificationText(text: string): string {
  return text.replace(/\]\s*\(/g, '] (');
}
