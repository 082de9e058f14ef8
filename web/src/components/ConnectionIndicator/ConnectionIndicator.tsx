import { useConnectionState } from '../../api/useJobEvents';

const look = {
  live: { text: 'Live', dot: 'bg-green-600', hint: 'Job updates arrive live.' },
  connecting: { text: 'Connecting…', dot: 'bg-slate-400 animate-pulse', hint: 'Connecting to live job updates.' },
  reconnecting: { text: 'Reconnecting…', dot: 'bg-amber-500 animate-pulse', hint: 'Live updates are interrupted; reconnecting.' },
} as const;

/** Whether live job updates are flowing; announced politely when it changes. */
export function ConnectionIndicator() {
  const state = useConnectionState();
  const { text, dot, hint } = look[state];
  return (
    <span
      role="status"
      data-testid="connection-state"
      data-state={state}
      title={hint}
      className="muted inline-flex items-center gap-1.5 rounded-full border border-slate-300 px-2 py-0.5 text-xs font-medium dark:border-slate-700"
    >
      <span aria-hidden="true" className={`size-2 rounded-full ${dot}`} />
      <span>{text}</span>
      <span className="sr-only">{hint}</span>
    </span>
  );
}
