/** The optional expiry date of a new credential (read back with `chosenExpiry`), from tomorrow on. */
import { tomorrow } from '../lib/expiry.ts';

/** `noun` names the credential in the hint: "The {noun} stops working at the end of that day…". */
export function ExpiryDateField({ id, noun }: { id: string; noun: string }) {
  return (
    <>
      <label htmlFor={id}>Expires on (optional)</label>
      <input id={id} name="expiresOn" type="date" min={tomorrow()} aria-describedby={`${id}-hint`} />
      <p id={`${id}-hint`} className="hint">
        The {noun} stops working at the end of that day. Leave empty for a {noun} that does not expire.
      </p>
    </>
  );
}
