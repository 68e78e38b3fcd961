// Hands the store to components without prop drilling.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { TuiState } from '../store/store.js';

export const StoreContext = createContext<StoreApi<TuiState> | null>(null);

export function useTui<T>(selector: (state: TuiState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useTui outside <StoreContext.Provider>');
  return useStore(store, selector);
}
