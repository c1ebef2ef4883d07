/**
 * The theme colours the report panel uses, per theme kind, as VS Code 1.139 (code-server) gives them to a
 * webview: Dark Modern / Light Modern from extensions/theme-defaults/themes/*.json, the two High Contrast
 * themes from the colour registry's hcDark/hcLight defaults (out/vs/code/browser/workbench/workbench.js),
 * references resolved by hand. Plus the rule of VS Code's webview page that matters here (`code` gets
 * textPreformat colours: white in Light High Contrast).
 */
export const THEME_KINDS = ['vscode-dark', 'vscode-light', 'vscode-high-contrast', 'vscode-high-contrast-light'] as const;
export type ThemeKind = (typeof THEME_KINDS)[number];

const common = { 'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace' };

export const THEMES: Record<ThemeKind, Record<string, string>> = {
  'vscode-dark': {
    ...common,
    foreground: '#CCCCCC', 'editor-background': '#1F1F1F', 'editor-foreground': '#CCCCCC', descriptionForeground: '#9D9D9D',
    'textLink-foreground': '#4daafc', 'textLink-activeForeground': '#4daafc', 'textCodeBlock-background': '#2B2B2B',
    'textPreformat-foreground': '#D0D0D0', 'textPreformat-background': '#3C3C3C', 'button-background': '#0078D4', 'button-foreground': '#FFFFFF',
    'button-secondaryBackground': '#00000000', 'button-secondaryForeground': '#CCCCCC', 'button-border': '#ffffff1a', 'badge-background': '#616161',
    'badge-foreground': '#F8F8F8', errorForeground: '#F85149', 'input-background': '#313131', 'input-foreground': '#CCCCCC', 'input-border': '#3C3C3C',
    'dropdown-background': '#313131', 'dropdown-foreground': '#CCCCCC', 'dropdown-border': '#3C3C3C', 'editorWidget-background': '#202020',
    'list-hoverBackground': '#2A2D2E', 'list-activeSelectionBackground': '#04395E', 'list-activeSelectionForeground': '#FFFFFF', 'panel-border': '#2B2B2B',
    focusBorder: '#0078D4', disabledForeground: '#CCCCCC80', 'charts-blue': '#3794FF', 'notifications-background': '#1F1F1F', 'notifications-foreground': '#CCCCCC',
  },
  'vscode-light': {
    ...common,
    foreground: '#3B3B3B', 'editor-background': '#FFFFFF', 'editor-foreground': '#3B3B3B', descriptionForeground: '#3B3B3B',
    'textLink-foreground': '#005FB8', 'textLink-activeForeground': '#005FB8', 'textCodeBlock-background': '#F8F8F8',
    'textPreformat-foreground': '#3B3B3B', 'textPreformat-background': '#0000001F', 'button-background': '#005FB8', 'button-foreground': '#FFFFFF',
    'button-secondaryBackground': '#E5E5E5', 'button-secondaryForeground': '#3B3B3B', 'button-border': '#0000001a', 'badge-background': '#CCCCCC',
    'badge-foreground': '#3B3B3B', errorForeground: '#F85149', 'input-background': '#FFFFFF', 'input-foreground': '#3B3B3B', 'input-border': '#CECECE',
    'dropdown-background': '#FFFFFF', 'dropdown-foreground': '#3B3B3B', 'dropdown-border': '#CECECE', 'editorWidget-background': '#F8F8F8',
    'list-hoverBackground': '#F2F2F2', 'list-activeSelectionBackground': '#E8E8E8', 'list-activeSelectionForeground': '#000000', 'panel-border': '#E5E5E5',
    focusBorder: '#005FB8', disabledForeground: '#61616180', 'charts-blue': '#1A85FF', 'notifications-background': '#FFFFFF', 'notifications-foreground': '#3B3B3B',
  },
  'vscode-high-contrast': {
    ...common,
    foreground: '#FFFFFF', 'editor-background': '#000000', 'editor-foreground': '#FFFFFF', descriptionForeground: 'rgba(255, 255, 255, 0.7)',
    'textLink-foreground': '#21A6FF', 'textLink-activeForeground': '#21A6FF', 'textCodeBlock-background': '#000000',
    'textPreformat-foreground': '#FFFFFF', 'button-background': '#000000', 'button-foreground': '#FFFFFF', 'button-secondaryForeground': '#FFFFFF',
    'button-border': '#6FC3DF', 'badge-background': '#000000', 'badge-foreground': '#FFFFFF', errorForeground: '#F48771', 'input-background': '#000000',
    'input-foreground': '#FFFFFF', 'input-border': '#6FC3DF', 'dropdown-background': '#000000', 'dropdown-foreground': '#FFFFFF', 'dropdown-border': '#6FC3DF',
    'editorWidget-background': '#0C141F', 'list-hoverBackground': 'rgba(255, 255, 255, 0.1)', 'panel-border': '#6FC3DF', contrastBorder: '#6FC3DF',
    focusBorder: '#F38518', disabledForeground: '#A5A5A5', 'charts-blue': '#3794FF', 'notifications-background': '#0C141F', 'notifications-foreground': '#FFFFFF',
  },
  'vscode-high-contrast-light': {
    ...common,
    foreground: '#292929', 'editor-background': '#FFFFFF', 'editor-foreground': '#292929', descriptionForeground: 'rgba(41, 41, 41, 0.7)',
    'textLink-foreground': '#0F4A85', 'textLink-activeForeground': '#0F4A85', 'textCodeBlock-background': '#F2F2F2',
    'textPreformat-foreground': '#FFFFFF', 'textPreformat-background': '#09345f', 'button-background': '#0F4A85', 'button-foreground': '#FFFFFF',
    'button-secondaryBackground': '#FFFFFF', 'button-secondaryForeground': '#292929', 'button-border': '#0F4A85', 'badge-background': '#0F4A85',
    'badge-foreground': '#FFFFFF', errorForeground: '#B5200D', 'input-background': '#FFFFFF', 'input-foreground': '#292929', 'input-border': '#0F4A85',
    'dropdown-background': '#FFFFFF', 'dropdown-foreground': '#292929', 'dropdown-border': '#0F4A85', 'editorWidget-background': '#FFFFFF',
    'list-hoverBackground': 'rgba(15, 74, 133, 0.1)', 'panel-border': '#0F4A85', contrastBorder: '#0F4A85', focusBorder: '#006BBD',
    disabledForeground: '#7F7F7F', 'charts-blue': '#0F4A85', 'notifications-background': '#FFFFFF', 'notifications-foreground': '#292929',
  },
};

/** The rules of VS Code's webview page (pre/index.html) that colour our elements. */
export const WEBVIEW_DEFAULT_RULES = [
  'code { color: var(--vscode-textPreformat-foreground); background-color: var(--vscode-textPreformat-background); }',
  'a, a code { color: var(--vscode-textLink-foreground); }',
];
