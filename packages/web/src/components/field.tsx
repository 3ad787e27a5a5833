import type { ComponentChildren } from 'preact';

interface FieldProps {
  /** The control's id; the label points at it. */
  id: string;
  label: ComponentChildren;
  /** A short help line under the control. */
  hint?: string;
  /** Spans the whole row of a form grid. */
  wide?: boolean;
  children: ComponentChildren;
}

/** A labelled form control: the one field layout of the account and admin forms. */
export function Field({ id, label, hint, wide = false, children }: FieldProps) {
  return (
    <div class={wide ? 'field field-wide' : 'field'}>
      <label for={id}>{label}</label>
      {children}
      {hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

interface TextFieldProps {
  id: string;
  label: ComponentChildren;
  value: string;
  onValue: (value: string) => void;
  type?: 'text' | 'password' | 'email' | 'datetime-local';
  required?: boolean;
  autoComplete?: string;
  placeholder?: string;
  hint?: string;
  wide?: boolean;
  step?: number;
  name?: string;
  /** For usernames and ids: no auto-capitalised first letter, no spell check. */
  verbatim?: boolean;
  /** Defaults to the id. */
  testId?: string;
}

/** A {@link Field} holding a text input. */
export function TextField(props: TextFieldProps) {
  const { id, label, value, onValue, type = 'text', hint, wide, testId = id } = props;
  return (
    <Field id={id} label={label} hint={hint} wide={wide}>
      <input
        id={id}
        type={type}
        required={props.required}
        autoComplete={props.autoComplete}
        placeholder={props.placeholder}
        step={props.step}
        name={props.name}
        autoCapitalize={props.verbatim ? 'none' : undefined}
        spellcheck={props.verbatim ? false : undefined}
        value={value}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => onValue(e.currentTarget.value)}
        data-testid={testId}
      />
    </Field>
  );
}

interface TextAreaFieldProps {
  id: string;
  label: ComponentChildren;
  value: string;
  onValue: (value: string) => void;
  rows?: number;
  placeholder?: string;
  hint?: string;
  wide?: boolean;
  /** Monospaced, for URIs and JSON. */
  code?: boolean;
  /** Defaults to the id. */
  testId?: string;
}

/** A {@link Field} holding a multi-line text input (no spell check: it holds URIs, keys, ids). */
export function TextAreaField(props: TextAreaFieldProps) {
  const { id, label, value, onValue, rows = 3, hint, wide, code = false, testId = id } = props;
  return (
    <Field id={id} label={label} hint={hint} wide={wide}>
      <textarea
        id={id}
        rows={rows}
        class={code ? 'token-input' : undefined}
        placeholder={props.placeholder}
        autoCapitalize="none"
        spellcheck={false}
        autoComplete="off"
        value={value}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => onValue(e.currentTarget.value)}
        data-testid={testId}
      />
    </Field>
  );
}

interface SelectFieldProps<V extends string> {
  id: string;
  label: ComponentChildren;
  value: V;
  options: { value: V; label: string }[];
  onValue: (value: V) => void;
  wide?: boolean;
  testId?: string;
}

/** A {@link Field} holding a `<select>` that is as wide as its longest option allows. */
export function SelectField<V extends string>(props: SelectFieldProps<V>) {
  const { id, label, value, options, onValue, wide, testId = id } = props;
  return (
    <Field id={id} label={label} wide={wide}>
      <select
        id={id}
        value={value}
        onChange={(e) => {
          const picked = options.find((o) => o.value === e.currentTarget.value);
          if (picked) onValue(picked.value);
        }}
        data-testid={testId}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}
