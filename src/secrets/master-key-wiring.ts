/**
 * Follows a rotated MASTER_KEY reference in a running process: the new key becomes the active
 * one as soon as the refresh sees it, provided the previous key is still configured
 * (MASTER_KEY_PREVIOUS), so nothing already wrapped becomes unreadable. Otherwise the process
 * keeps its keys and says why; `keys rotate-master` then re-wraps what the old key wrapped.
 */
import { adoptLocalKeys, type MasterKeyring } from '../crypto/master-keyring.js';
import type { Logger } from '../logging/logger.js';
import { onMasterKeysChange } from './master-keys.js';
import type { SecretValues } from './secret-values.js';

export function followMasterKeys(keyring: MasterKeyring, values: SecretValues, logger: Logger): () => void {
  return onMasterKeysChange(
    values,
    ({ masterKey, previous }) => {
      if (!masterKey) return;
      const result = adoptLocalKeys(keyring, masterKey, previous);
      if (result.adopted) logger.info({ masterKeyId: masterKey.id }, 'master key refreshed: new data keys are wrapped by it');
      else
        logger.warn(
          { masterKeyId: masterKey.id, missing: result.missing },
          'refreshed master key not adopted: keep the old key in MASTER_KEY_PREVIOUS until `keys rotate-master` has run, then restart',
        );
    },
    (problem) => logger.warn({ problem }, 'refreshed master key rejected'),
  );
}
