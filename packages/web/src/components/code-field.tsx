import { Field } from './field.js';

interface CodeFieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** `totp`: six digits from an authenticator app; `recovery`: a one-time recovery code. */
  kind: 'totp' | 'recovery';
  hint?: string;
  /** Defaults to the id. */
  testId?: string;
}

/**
 * A one-time code field. A TOTP code gets the numeric keyboard and the browser's own one-time-code
 * autofill; a recovery code (`xxxxx-xxxxx`) is plain text, never spell-checked or capitalised.
 *
 * @example
 * <CodeField id="mfa-code" label="Code from your app" kind="totp" value={code} onValue={setCode} />
 */
export function CodeField({ id, label, value, onValue, kind, hint, testId = id }: CodeFieldProps) {
  const totp = kind === 'totp';
  return (
    <Field id={id} label={label} hint={hint}>
      <input
        id={id}
        name={totp ? 'one-time-code' : 'recovery-code'}
        type="text"
        class="code-input"
        inputMode={totp ? 'numeric' : 'text'}
        autoComplete={totp ? 'one-time-code' : 'off'}
        maxLength={totp ? 8 : 32}
        autoCapitalize="none"
        spellcheck={false}
        required
        value={value}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => onValue(e.currentTarget.value)}
        data-testid={testId}
      />
    </Field>
  );
}
