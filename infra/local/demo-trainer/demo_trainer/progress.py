"""AI-Toolkit's progress bar: tqdm named after the job, paused while saving and sampling so those minutes are not
counted in its speed, with `lr: … loss: …` as its postfix."""
from tqdm import tqdm


class TrainingProgressBar(tqdm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("smoothing", 0.7)
        super().__init__(*args, **kwargs)
        self.paused = False
        self.paused_at = self._time()

    def pause(self):
        if not self.paused:
            self.paused = True
            self.paused_at = self._time()

    def unpause(self):
        if self.paused:
            self.paused = False
            now = self._time()
            self.start_t += now - self.paused_at
            self.last_print_t = now

    def update(self, n=1):
        if not self.paused:
            super().update(n)
