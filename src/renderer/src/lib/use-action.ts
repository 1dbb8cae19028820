// A panel's action runner: clears the last error, runs the action, and on failure shows its message
// (the API's errors are written for the dispatcher). Resolves true when the action succeeded.
import { useCallback, useState } from 'react';

export function useAction() {
  const [error, setError] = useState<string | null>(null);
  const act = useCallback(async (fn: () => Promise<unknown>): Promise<boolean> => {
    setError(null);
    try {
      await fn();
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    }
  }, []);
  return { error, setError, act };
}
