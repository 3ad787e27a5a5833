import { fromEpochSeconds } from '@keycard/protocol';
import type { JsonObject } from '../lib/jwt.js';
import { TIME_CLAIMS } from '../lib/jwt.js';
import { formatDateTime, formatRelative } from '../lib/time.js';

interface ClaimsTableProps {
  caption: string;
  values: JsonObject;
  testId: string;
  now: number;
}

function renderValue(name: string, value: unknown, now: number) {
  if (TIME_CLAIMS.includes(name) && typeof value === 'number') {
    const ms = fromEpochSeconds(value); // JWT NumericDate: seconds
    return (
      <>
        <code>{value}</code>{' '}
        <time dateTime={new Date(ms).toISOString()} class="claim-time">
          {formatDateTime(ms)} ({formatRelative(ms, now, { past: name === 'iat' || name === 'auth_time' })})
        </time>
      </>
    );
  }
  if (typeof value === 'string') return <code>{value}</code>;
  return <code class="claim-json">{JSON.stringify(value)}</code>;
}

/** A decoded JOSE header or claims set as a table; times are shown as dates and relative. */
export function ClaimsTable({ caption, values, testId, now }: ClaimsTableProps) {
  return (
    <table class="claims" data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(values).map(([name, value]) => (
          <tr key={name} data-testid={`${testId}-${name}`}>
            <th scope="row">
              <code>{name}</code>
            </th>
            <td>{renderValue(name, value, now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
