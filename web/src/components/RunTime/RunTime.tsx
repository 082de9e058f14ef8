import { useNow } from '../../hooks/useNow';
import { formatDateTime, formatRelative } from '../../lib/format';

/** A time a schedule ran or will run: "in 3 hours" over the date and time it stands for. */
export function RunTime({ at, inline = false }: { at: string; inline?: boolean }) {
  // Relative words go stale while a page stays open; twice a minute is close enough for them.
  const now = useNow(true, 30_000);
  const absolute = formatDateTime(at);
  return (
    <span className={inline ? 'whitespace-nowrap' : 'block'}>
      <time dateTime={at} title={absolute}>
        {formatRelative(at, now)}
      </time>
      <span className={inline ? 'muted' : 'muted block text-xs whitespace-nowrap'}>{inline ? ` · ${absolute}` : absolute}</span>
    </span>
  );
}
