/**
 * A list of model ids: an allow-list (order irrelevant: Remove only) or an alias's fallback chain
 * (tried first to last: numbered, with Up and Down). Buttons name the model and the list they act on,
 * so a screen reader user knows which of the many "Remove" buttons this is.
 */
import { moved } from './settings-draft.ts';

type Props = {
  /** Accessible name of the list ("Allowed models", "Fallbacks of fast"). */
  label: string;
  items: readonly string[];
  onChange: (items: string[]) => void;
  /** Fallback chains: numbered, with Up and Down buttons. */
  ordered?: boolean;
  readOnly: boolean;
  emptyText: string;
};

export function TargetList({ label, items, onChange, ordered = false, readOnly, emptyText }: Props) {
  if (items.length === 0) return <p className="muted">{emptyText}</p>;
  const Tag = ordered ? 'ol' : 'ul';
  return (
    <Tag className="target-list" aria-label={label}>
      {items.map((item, index) => (
        <li key={item}>
          {ordered ? <span className="position">{index + 1}.</span> : null}
          <code>{item}</code>
          {readOnly ? null : (
            <span className="row">
              {ordered ? (
                <>
                  <button
                    type="button"
                    className="secondary small"
                    disabled={index === 0}
                    onClick={() => onChange(moved(items, index, -1))}
                    aria-label={`Up: try ${item} earlier in ${label}`}
                  >
                    Up
                  </button>
                  <button
                    type="button"
                    className="secondary small"
                    disabled={index === items.length - 1}
                    onClick={() => onChange(moved(items, index, 1))}
                    aria-label={`Down: try ${item} later in ${label}`}
                  >
                    Down
                  </button>
                </>
              ) : null}
              <button
                type="button"
                className="secondary small"
                onClick={() => onChange(items.filter((_, i) => i !== index))}
                aria-label={`Remove ${item} from ${label}`}
              >
                Remove
              </button>
            </span>
          )}
        </li>
      ))}
    </Tag>
  );
}
