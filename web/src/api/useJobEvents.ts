import { wsJobsPath } from '@shelf/contract';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, createElement, useCallback, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useKnownMe } from '../hooks/useMe';
import { api } from './client';
import { applyJobEvent } from './jobCache';
import { JobSocket, jobSocketUrl, type ConnectionState } from './jobSocket';
import type { LiveLine } from './logBuffer';
import { queryKeys } from './queryKeys';

const JobSocketContext = createContext<JobSocket | null>(null);

/**
 * Provides the app's one job WebSocket (a test passes its own) and keeps the caches current from it.
 * It runs only while someone is signed in, and reconnects when that someone changes: the socket
 * carries the identity of the cookie it was opened with.
 */
export function JobEventsProvider({ socket, children }: { socket?: JobSocket; children: ReactNode }) {
  const [shared] = useState(() => socket ?? new JobSocket(jobSocketUrl(wsJobsPath), { fetchLogPage: api.jobLogs }));
  const me = useKnownMe();
  useJobEvents(shared, me?.id);
  return createElement(JobSocketContext.Provider, { value: shared }, children);
}

/**
 * Runs the socket while mounted: every `job` event updates the cached job and list rows in
 * place; after a reconnect, job queries are refetched because events sent while the socket was
 * down were missed.
 */
export function useJobEvents(socket: JobSocket, userId: string | undefined): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!userId) return;
    const offJob = socket.onJob((job) => applyJobEvent(client, job));
    const offReconnect = socket.onReconnect(() => void client.invalidateQueries({ queryKey: queryKeys.jobs() }));
    socket.start();
    return () => {
      offJob();
      offReconnect();
      socket.stop();
    };
  }, [client, socket, userId]);
}

function useJobSocket(): JobSocket {
  const socket = useContext(JobSocketContext);
  if (!socket) throw new Error('useJobSocket needs a <JobEventsProvider> above it');
  return socket;
}

/** `connecting` before the first connection, `live`, or `reconnecting` after a drop. */
export function useConnectionState(): ConnectionState {
  const socket = useJobSocket();
  return useSyncExternalStore(socket.onState, socket.getState);
}

export interface JobLog {
  /** Seq-ordered, each seq once. Appended in place: depend on `version`, not on this array's identity. */
  lines: readonly LiveLine[];
  version: number;
  /** All stored lines have arrived; what follows is live. */
  caughtUp: boolean;
}

const empty: readonly LiveLine[] = [];

/** Follows a job's log over the shared socket; on reconnect it resumes after the last seq seen. */
export function useJobLog(jobId: string): JobLog {
  const socket = useJobSocket();
  const subscribe = useCallback((onChange: () => void) => socket.subscribeLog(jobId, onChange), [socket, jobId]);
  const version = useSyncExternalStore(subscribe, () => socket.logBuffer(jobId)?.version ?? 0);
  const buffer = socket.logBuffer(jobId);
  return { lines: buffer?.lines ?? empty, version, caughtUp: buffer?.caughtUp ?? false };
}
