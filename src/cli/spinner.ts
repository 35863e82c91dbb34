/**
 * A progress spinner on stderr for long command-line operations (deploying, restarting). It spins only when stderr
 * is a terminal, so pipes, files and CI logs never receive control characters, and it erases itself when done.
 */

const FRAMES = ['|', '/', '-', '\\'];

/** Runs `fn` while a spinner labelled `text` turns on `stream` (stderr by default) when that is a TTY. */
export async function withSpinner<T>(text: string, fn: () => Promise<T>, stream: NodeJS.WriteStream = process.stderr): Promise<T> {
  if (!stream.isTTY) return fn();
  let frame = 0;
  let shown = false;
  // The first frame appears after a short delay: fast calls never flicker.
  const timer = setInterval(() => {
    shown = true;
    stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${text}`);
  }, 100);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    if (shown) stream.write('\r\x1b[K');
  }
}
