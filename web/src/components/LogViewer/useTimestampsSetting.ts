import { useCallback, useState } from 'react';

const storageKey = 'shelf-log-timestamps';

function stored(): boolean {
  try {
    return localStorage.getItem(storageKey) === 'on';
  } catch {
    return false;
  }
}

/** Whether the log shows each line's time, remembered in this browser across jobs and visits. */
export function useTimestampsSetting(): [boolean, (show: boolean) => void] {
  const [show, setShowState] = useState(stored);
  const setShow = useCallback((next: boolean) => {
    try {
      localStorage.setItem(storageKey, next ? 'on' : 'off');
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    setShowState(next);
  }, []);
  return [show, setShow];
}
