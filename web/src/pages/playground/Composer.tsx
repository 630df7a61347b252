/** The prompt box: Enter sends, Shift+Enter starts a new line; Stop aborts the answer in progress. */
import { useRef, type FormEvent, type KeyboardEvent } from 'react';

type Props = { canSend: boolean; streaming: boolean; onSend: (prompt: string) => void; onStop: () => void; hint: string };

export function Composer({ canSend, streaming, onSend, onStop, hint }: Props) {
  const box = useRef<HTMLTextAreaElement>(null);

  function submit() {
    const prompt = box.current?.value ?? '';
    if (!canSend || streaming || prompt.trim() === '') return;
    onSend(prompt);
    if (box.current) box.current.value = '';
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    submit();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  return (
    <form className="playground-composer" onSubmit={onSubmit} noValidate>
      <label htmlFor="playground-prompt">Message</label>
      <textarea
        id="playground-prompt"
        ref={box}
        rows={3}
        maxLength={32000}
        onKeyDown={onKeyDown}
        aria-describedby="playground-prompt-hint"
        spellCheck
      />
      <p id="playground-prompt-hint" className="hint">
        {hint}
      </p>
      <div className="playground-actions">
        {streaming ? (
          <button type="button" className="danger" onClick={onStop}>
            Stop
          </button>
        ) : null}
        <button type="submit" disabled={!canSend || streaming}>
          Send
        </button>
      </div>
    </form>
  );
}
