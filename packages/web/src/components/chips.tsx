interface ChipsProps {
  items: string[];
  testId: string;
  empty?: string;
}

/** A list of short values (roles, audiences, scopes) as chips. */
export function Chips({ items, testId, empty = 'none' }: ChipsProps) {
  if (items.length === 0) {
    return (
      <span class="chips-empty" data-testid={testId}>
        {empty}
      </span>
    );
  }
  return (
    <ul class="chips" data-testid={testId}>
      {items.map((item) => (
        <li key={item} class="chip">
          {item}
        </li>
      ))}
    </ul>
  );
}
