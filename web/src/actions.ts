import { api, ApiError, type Run } from "./api";
import { askForKey, navigate } from "./main";

/** Runs a write; on 401 asks for the key once and tries again. Opens the run page on success. */
export async function write(action: () => Promise<Run>, onError: (message: string) => void): Promise<void> {
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
