/** The optional expiry date of a new credential (read back with `chosenExpiry`), from tomorrow on. */
import { tomorrow } from '../lib/expiry.ts';

/** `noun` names the credential in the hint: "The {noun} stops working at the end of that day…". */
/** `defaultValue` (YYYY-MM-DD) pre-fills the field when editing a credential that already has an expiry. */
export function ExpiryDateField({ id, noun, defaultValue }: { id: string; noun: string; defaultValue?: string }) {
  return (
    <>
      <label htmlFor={id}>Expires on (optional)</label>
      <input id={id} name="expiresOn" type="date" min={tomorrow()} defaultValue={defaultValue} aria-describedby={`${id}-hint`} />
      <p id={`${id}-hint`} className="hint">
        The {noun} stops working at the end of that day. Leave empty for a {noun} that does not expire.
      </p>
    </>
  );
}
