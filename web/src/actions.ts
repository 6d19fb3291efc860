import { api, ApiError, storedKey, type Run } from "./api";
import { askForKey, navigate } from "./main";

/** True when writes can go: a key in this tab, a sign-in cookie, or a key the person types now. */
export async function ensureSignedIn(onError: (message: string) => void): Promise<boolean> {
  if (storedKey() || (await api.session().then((s) => s.signed_in, () => false)) || (await askForKey())) return true;
  onError("Writes need the API key: the AppHost prints it, and a one-time sign-in link, at start-up.");
  return false;
}

/**
 * Runs a write, asking for the key first when this tab has none and the browser holds no sign-in cookie (and
 * again once if the server refuses the key). Opens the run page on success.
 */
export async function write(action: () => Promise<Run>, onError: (message: string) => void): Promise<void> {
  if (!(await ensureSignedIn(onError))) return;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const run = await action();
      navigate(`/runs/${run.run_id}`);
      return;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && attempt === 0 && (await askForKey())) continue;
      onError((error as Error).message);
      return;
    }
  }
}

export const materialize = (selection: string, onError: (message: string) => void) => write(() => api.materialize(selection), onError);
