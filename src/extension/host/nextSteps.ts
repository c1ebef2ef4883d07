import type { NextStep } from '../../core/errors';
import { Cmd } from './ids';

/** What a next step means in the editor: a button (label + command) and, for Diagnose, a sentence. */
export interface StepAction {
  label: string;
  /** undefined: the caller does it itself (Retry re-runs what failed) */
  command?: string;
  args?: unknown[];
  /** what Diagnose Connection writes under a failed step */
  fix: string;
}

/**
 * The one next step → action table: notifications (error buttons), the report panel's error view (its
 * buttons reach the panel through the shared protocol as `{ id, label }`) and Diagnose Connection.
 */
export const STEP_ACTIONS: Record<Exclude<NextStep, 'none'>, StepAction> = {
  importStatement: {
    label: 'Import Software Statement…',
    command: Cmd.importSoftwareStatement,
    fix: 'Run "CMU: Import Software Statement…" with the statement downloaded from the TVE Dashboard.',
  },
  register: { label: 'Register Client', command: Cmd.registerClient, fix: 'Run "CMU: Register Client".' },
  getToken: { label: 'Get Access Token', command: Cmd.getAccessToken, fix: 'Run "CMU: Get Access Token".' },
  retry: { label: 'Retry', fix: 'Try again in a minute.' },
  showLog: { label: 'Show Log', command: Cmd.showLog, fix: 'Look at "CMU: Show Log" for the exchange.' },
  diagnose: { label: 'Diagnose Connection', command: Cmd.diagnose, fix: 'Run "CMU: Diagnose Connection".' },
  openSettings: {
    label: 'Open Settings',
    command: Cmd.openSettings,
    fix: 'Check the endpoint settings (cmu.<environment>.dcrOrigin / cmu.<environment>.cmuBase) in your USER settings.',
  },
  startSandbox: { label: 'Start Sandbox', command: Cmd.startSandbox, fix: 'Run "CMU: Start Sandbox".' },
  // nothing to run for Adobe's side: Diagnose collects what to send them
  contactAdobe: {
    label: 'Diagnose Connection',
    command: Cmd.diagnose,
    fix: 'Ask Adobe (TVE Dashboard owner / support) to check the registered application; attach the output of "CMU: Show Log" (it is redacted).',
  },
};

/** the action of a next step, undefined for 'none' or an id the table does not know (e.g. from the webview) */
export function stepAction(step: string): StepAction | undefined {
  return Object.prototype.hasOwnProperty.call(STEP_ACTIONS, step) ? STEP_ACTIONS[step as keyof typeof STEP_ACTIONS] : undefined;
}
