import * as vscode from 'vscode';
import { writeUserSetting } from '../host/config';
import { registerCommand, type CommandContext } from '../host/commands';
import { Cmd } from '../host/ids';
import { openCmuSettings } from '../host/settingsUi';

export function registerSandboxCommands(ctx: CommandContext): void {
  const { services } = ctx;

  /** starts the local sandbox, switches to the sandbox environment, imports its statement */
  registerCommand(services, Cmd.startSandbox, async () => {
    if (services.settings().environment !== 'sandbox') {
      await writeUserSetting('environment', 'sandbox');
      services.reloadSettings();
    }
    const { session, fresh } = await services.startSandbox({ byUser: true });
    if (fresh) {
      void vscode.window
        .showInformationMessage(`CMU sandbox running on ${session.env.dcrOrigin}, its statement imported.`, 'Get Access Token')
        .then((c) => {
          if (c) void vscode.commands.executeCommand(Cmd.getAccessToken);
        });
    }
    services.notifySessionChanged();
    return { dcrOrigin: session.env.dcrOrigin, cmuBase: session.env.cmuBase };
  });

  registerCommand(services, Cmd.stopSandbox, async () => {
    const stopped = await services.sandboxHost.stop();
    await services.sandboxHost.setStoppedByUser(true);
    services.notifySessionChanged();
    return { stopped };
  });

  /** the settings editor on our settings, in the tab that holds them (Remote in a remote window) */
  registerCommand(services, Cmd.openSettings, () => openCmuSettings());

  registerCommand(services, Cmd.showLog, async () => {
    services.log.show();
    return {};
  });
}
