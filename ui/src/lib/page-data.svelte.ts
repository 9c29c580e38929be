// What a live page shows from the API: the last answer, why the last load failed, whether the thing is gone
// (404); `reloadSoon` folds a burst of events into one load.
import { api, ApiError, describeError } from './api.ts';

export class PageData<T> {
  data = $state.raw<T | null>(null);
  error = $state('');
  missing = $state(false);
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly path: () => string) {}

  load = async (): Promise<void> => {
    try {
      this.data = await api<T>(this.path());
      this.error = '';
      this.missing = false;
    } catch (failure) {
      this.missing = failure instanceof ApiError && failure.status === 404;
      this.error = describeError(failure);
    }
  };

  reloadSoon = (ms = 300): void => {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.load, ms);
  };

  /** stops a pending reload (the page is leaving) */
  stop = (): void => clearTimeout(this.#timer);
}
