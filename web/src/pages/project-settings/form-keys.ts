/**
 * React keys of the project settings page's two forms. A form is rebuilt from the api's answer (its
 * working copy reset) only when what that form edits changed there, not whenever the settings'
 * version moves: saving the limits moves it too, and must not throw away unsaved edits in the
 * settings form, nor saving the settings those in the limits form.
 */
import type { Limits } from '../../api/limits-schemas.ts';
import type { ProjectSettings } from '../../api/project-schemas.ts';

/** Everything but the limits, which the settings form sends back as read (from its latest `current`). */
export function settingsFormKey(settings: ProjectSettings): string {
  const edited: Record<string, unknown> = { ...settings };
  delete edited['limits'];
  return `settings:${JSON.stringify(edited)}`;
}

export const limitsFormKey = (limits: Limits): string => `limits:${JSON.stringify(limits)}`;
