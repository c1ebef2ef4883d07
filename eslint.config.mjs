import tseslint from 'typescript-eslint';

/** `no-restricted-imports` for one layer: `vscode` and the named sibling layers are out of reach */
const layer = (message, ...layers) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'vscode', message }],
      patterns: layers.map((l) => ({ regex: `(^|/)${l}(/|$)`, message: `${message} (no import from src/${l})` })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'media/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  // the layers (ARCHITECTURE.md): core is the domain, cli and extension are thin fronts on it,
  // the webview talks to the extension only through src/shared/protocol.ts
  { files: ['src/core/**/*.ts'], rules: layer('src/core never touches the editor, the CLI or the webview', 'cli', 'extension', 'webview') },
  { files: ['src/sandbox/**/*.ts'], rules: layer('the sandbox is product code beside core, not a front', 'cli', 'extension', 'webview') },
  { files: ['src/cli/**/*.ts'], rules: layer('the CLI is a front on core', 'extension', 'webview') },
  { files: ['src/shared/**/*.ts'], rules: layer('src/shared is what the extension and the webview share', 'cli', 'extension', 'webview', 'sandbox') },
  { files: ['src/webview/**/*.ts'], rules: layer('the webview reaches the extension only through src/shared', 'core', 'cli', 'extension', 'sandbox') },
);
