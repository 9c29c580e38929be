// A process started by the launcher stops when the launcher is gone (killed with SIGKILL, say), so no
// orphan keeps a port or a data folder from the next `npm start`.
export function exitWithLauncher(onGone: () => void = () => process.kill(process.pid, 'SIGTERM')): void {
  if (process.env.ATELIER_SUPERVISED !== '1') return;
  const launcher = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== launcher) {
      clearInterval(timer);
      onGone();
    }
  }, 1000);
  timer.unref();
}
