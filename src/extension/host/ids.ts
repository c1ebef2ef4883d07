/**
 * Every command id, context key and view id of the extension, typed once. The ids are a public contract
 * (package.json `contributes`, scripts calling `executeCommand`): the manifest unit test checks that
 * every `Cmd` is contributed and every contributed command is a `Cmd`.
 */
export const Cmd = {
  queriesNew: 'cmu.queries.new',
  queriesImportUrl: 'cmu.queries.importUrl',
  queriesRun: 'cmu.queries.run',
  queriesEdit: 'cmu.queries.edit',
  queriesRename: 'cmu.queries.rename',
  queriesDuplicate: 'cmu.queries.duplicate',
  queriesDelete: 'cmu.queries.delete',
  queriesMove: 'cmu.queries.move',
  queriesCopyUrl: 'cmu.queries.copyUrl',
  queriesCopyCurl: 'cmu.queries.copyCurl',
  queriesCopyHttpYac: 'cmu.queries.copyHttpYac',
  queriesCopyRestClient: 'cmu.queries.copyRestClient',
  queriesMoveToWorkspace: 'cmu.queries.moveToWorkspace',
  queriesMoveToUser: 'cmu.queries.moveToUser',
  queriesSaveExample: 'cmu.queries.saveExample',
  queriesEditJson: 'cmu.queries.editJson',
  queriesNewFolder: 'cmu.queries.newFolder',
  queriesRenameFolder: 'cmu.queries.renameFolder',
  queriesDeleteFolder: 'cmu.queries.deleteFolder',
  queriesRefresh: 'cmu.queries.refresh',
  queriesList: 'cmu.queries.list',
  queriesSave: 'cmu.queries.save',
  queriesBrowse: 'cmu.queries.browse',
  queriesBrowseRun: 'cmu.queries.browseRun',
  queriesBrowseSave: 'cmu.queries.browseSave',
  queriesBrowseCopyUrl: 'cmu.queries.browseCopyUrl',
  queriesBrowseRefresh: 'cmu.queries.browseRefresh',
  historyList: 'cmu.history.list',
  historyRun: 'cmu.history.run',
  historySave: 'cmu.history.save',
  historyCompare: 'cmu.history.compare',
  historyCopyUrl: 'cmu.history.copyUrl',
  historyClear: 'cmu.history.clear',
  connectionImportStatement: 'cmu.connection.importStatement',
  connectionShowStatement: 'cmu.connection.showStatement',
  connectionRegisterClient: 'cmu.connection.registerClient',
  connectionRefreshToken: 'cmu.connection.refreshToken',
  connectionShowToken: 'cmu.connection.showToken',
  connectionForgetCredentials: 'cmu.connection.forgetCredentials',
  connectionSwitchEnvironment: 'cmu.connection.switchEnvironment',
  connectionDiagnose: 'cmu.connection.diagnose',
  connectionStartSandbox: 'cmu.connection.startSandbox',
  connectionRefresh: 'cmu.connection.refresh',
  importSoftwareStatement: 'cmu.importSoftwareStatement',
  showSoftwareStatement: 'cmu.showSoftwareStatement',
  registerClient: 'cmu.registerClient',
  getAccessToken: 'cmu.getAccessToken',
  refreshAccessToken: 'cmu.refreshAccessToken',
  showAccessToken: 'cmu.showAccessToken',
  copyAccessToken: 'cmu.copyAccessToken',
  copyAuthorizationHeader: 'cmu.copyAuthorizationHeader',
  diagnose: 'cmu.diagnose',
  switchEnvironment: 'cmu.switchEnvironment',
  forgetCredentials: 'cmu.forgetCredentials',
  startSandbox: 'cmu.startSandbox',
  stopSandbox: 'cmu.stopSandbox',
  showLog: 'cmu.showLog',
  openSettings: 'cmu.openSettings',
  statusBarActions: 'cmu.statusBarActions',
  runQuery: 'cmu.runQuery',
  openReportAs: 'cmu.openReportAs',
  refreshReport: 'cmu.refreshReport',
  copyReportUrl: 'cmu.copyReportUrl',
  copyReportCurl: 'cmu.copyReportCurl',
  copyReportAsHttpYac: 'cmu.copyReportAsHttpYac',
  copyReportAsRestClient: 'cmu.copyReportAsRestClient',
  saveReportAs: 'cmu.saveReportAs',
  saveReportQuery: 'cmu.saveReportQuery',
  refreshReportDocument: 'cmu.refreshReportDocument',
} as const;
export type CmdId = (typeof Cmd)[keyof typeof Cmd];

/** Commands registered only under the integration tests (not contributed). */
export const TestCmd = {
  statusBarText: 'cmu._test.statusBarText',
  reportPanels: 'cmu._test.reportPanels',
  reportPanelMessage: 'cmu._test.reportPanelMessage',
  restoreReportPanel: 'cmu._test.restoreReportPanel',
  queriesInternals: 'cmu.queries._internals',
} as const;

/** Context keys (`setContext`), used in the manifest's `when` clauses. */
export const Ctx = {
  /** Connection view state: ready | noStatement | sandboxStopped | notConfigured */
  connectionState: 'cmu.connection.state',
  sandboxRunning: 'cmu.sandboxRunning',
  /** what the current environment/profile has stored (the walkthrough's steps complete from them) */
  hasStatement: 'cmu.hasStatement',
  hasClient: 'cmu.hasClient',
  hasToken: 'cmu.hasToken',
  reportOpen: 'cmu.reportOpen',
  queriesHasWorkspace: 'cmu.queries.hasWorkspace',
} as const;

/** Views, the report webview type and the status bar item. */
export const View = {
  connection: 'cmu.connection',
  queries: 'cmu.queries',
  report: 'cmu.report',
  statusBar: 'cmu.status',
} as const;

/** VS Code's own commands the extension runs. */
export const VsCmd = {
  setContext: 'setContext',
  openSettings: 'workbench.action.openSettings',
  openRemoteSettings: 'workbench.action.openRemoteSettings',
} as const;
