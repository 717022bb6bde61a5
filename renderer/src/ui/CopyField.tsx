import { type ReactNode, useEffect, useId, useRef, useState } from 'react';

type CopyState = 'idle' | 'copied' | 'selected';

/**
 * A read-only value with a Copy button. The Clipboard API needs a secure context (a hub opened
 * as http://192.168.… is not one), so when it is missing or refused the text is selected instead
 * and the user is told to press Ctrl+C.
 */
interface CopyFieldProps {
  label: string;
  value: string;
  /** Focus the Copy button when shown (a dialog's content replaced under the keyboard focus). */
  focusOnMount?: boolean;
}

export function CopyField({ label, value, focusOnMount = false }: CopyFieldProps): ReactNode {
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const [state, setState] = useState<CopyState>('idle');

  useEffect(() => {
    if (focusOnMount) button.current?.focus();
  }, [focusOnMount]);

  const copy = async (): Promise<void> => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      input.current?.focus();
      input.current?.select();
      setState('selected');
    }
  };

  return (
    <div className="copy-field">
      <label htmlFor={inputId}>{label}</label>
      <div className="copy-row">
        <input
          id={inputId}
          ref={input}
          readOnly
          value={value}
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button
          type="button"
          ref={button}
          aria-label={`Copy ${label.toLowerCase()}`}
          onClick={() => void copy()}
        >
          {state === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="hint" aria-live="polite">
        {state === 'copied' && 'Copied to the clipboard.'}
        {state === 'selected' && 'Selected: press Ctrl+C (⌘C on a Mac) to copy.'}
      </p>
    </div>
  );
}
