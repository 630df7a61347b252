import type { SettingsDraft } from './settings-draft.ts';

/** What every section of the settings form gets: the working copy, a way to change it, and whether it may. */
export type SectionProps = {
  draft: SettingsDraft;
  update: (patch: Partial<SettingsDraft>) => void;
  readOnly: boolean;
};
