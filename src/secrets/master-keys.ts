/**
 * For the master-key provider: the master key and the previous-keys list as parsed keys whenever
 * either reference yields a new value.
 *
 *   onMasterKeysChange(runtime.secretValues, ({ masterKey, previous }) => keyring.replace(masterKey, previous),
 *     (problem) => logger.warn({ problem }, 'rotated master key rejected'));
 *
 * `masterKey` is undefined when MASTER_KEY is not a reference (it cannot change then); a value that
 * does not parse is reported through `onInvalid` (the message names the variable, not the value)
 * and the listener is not called, so a half-written rotation never replaces a working key.
 */
import { parseMasterKey, type MasterKey } from '../crypto/envelope.js';
import type { SecretValues } from './secret-values.js';

export type MasterKeys = { masterKey: MasterKey | undefined; previous: MasterKey[] };

export function parseMasterKeys(values: SecretValues): MasterKeys {
  const active = values.get('MASTER_KEY');
  const previous = (values.get('MASTER_KEY_PREVIOUS') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return { masterKey: active === undefined ? undefined : parseMasterKey(active), previous: previous.map((e) => parseMasterKey(e)) };
}

export function onMasterKeysChange(
  values: SecretValues,
  listener: (keys: MasterKeys) => void,
  onInvalid: (problem: string) => void,
): () => void {
  const handle = ({ name }: { name: string }) => {
    let keys: MasterKeys;
    try {
      keys = parseMasterKeys(values);
    } catch {
      onInvalid(`${name}: the refreshed value is not a valid master key (list)`);
      return;
    }
    listener(keys);
  };
  const offActive = values.onChange('MASTER_KEY', handle);
  const offPrevious = values.onChange('MASTER_KEY_PREVIOUS', handle);
  return () => {
    offActive();
    offPrevious();
  };
}
