// Live updates: one EventSource per tab on /portal/events (server-sent events from the event log).
import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import type { NubEvent } from './api';

type Listener = (e: NubEvent) => void;
const LiveContext = createContext<{ subscribe: (l: Listener) => () => void }>({ subscribe: () => () => {} });

export function LiveProvider({ children }: { children: ReactNode }) {
  const listeners = useRef(new Set<Listener>());
  useEffect(() => {
    const source = new EventSource('/portal/events');
    source.addEventListener('event', (m) => {
      const e = JSON.parse((m as MessageEvent).data) as NubEvent;
      listeners.current.forEach((l) => l(e));
    });
    return () => source.close();
  }, []);
  const subscribe = (l: Listener) => {
    listeners.current.add(l);
    return () => {
      listeners.current.delete(l);
    };
  };
  return <LiveContext.Provider value={{ subscribe }}>{children}</LiveContext.Provider>;
}

/** Calls {@code f} for every new event this user may see. */
export function useEvents(f: Listener) {
  const { subscribe } = useContext(LiveContext);
  const ref = useRef(f);
  ref.current = f;
  useEffect(() => subscribe((e) => ref.current(e)), [subscribe]);
}
