// boot.js — the short boot sequence of the original MAGI display. Skipped
// entirely under prefers-reduced-motion; any key or click ends it.

const LINES = [
  'MAGI SYSTEM  // BOOT',
  'MELCHIOR-1 ...... ONLINE',
  'BALTHASAR-2 ..... ONLINE',
  'CASPER-3 ........ ONLINE',
  'SOLOMON ......... ONLINE',
  'ALL SYSTEMS NOMINAL',
];

/** Plays the boot sequence in el unless the user prefers reduced motion. */
export function boot(el) {
  if (matchMedia('(prefers-reduced-motion: reduce)').matches) return;
  el.hidden = false;
  const timers = [];
  const end = () => {
    timers.forEach(clearTimeout);
    el.classList.add('boot-out');
    timers.push(setTimeout(() => { el.hidden = true; }, 250));
    removeEventListener('keydown', end);
    removeEventListener('pointerdown', end);
  };
  LINES.forEach((line, i) => timers.push(setTimeout(() => {
    const p = document.createElement('p');
    p.textContent = line;
    el.append(p);
  }, i * 110)));
  timers.push(setTimeout(end, LINES.length * 110 + 300));
  addEventListener('keydown', end, { once: true });
  addEventListener('pointerdown', end, { once: true });
}
