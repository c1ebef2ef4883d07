// esbuild bundles CSS imported from the webview into dist/webview.css
declare module '*.css';
