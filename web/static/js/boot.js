// boot.js — the short boot sequence of the original MAGI display, played
// once per browser session (sessionStorage), not on every reload. Skipped
// entirely under prefers-reduced-motion; any key or click ends it.

const LINES = [
  'MAGI SYSTEM  // BOOT',
  'MELCHIOR-1 ...... ONLINE',
  'BALTHASAR-2 ..... ONLINE',
  'CASPER-3 ........ ONLINE',
  'SOLOMON ......... ONLINE',
  'ALL SYSTEMS NOMINAL',
];

const KEY = 'magi.booted';

/** Whether this tab's session has played the sequence; marks it played. */
function played() {
  try {
    if (sessionStorage.getItem(KEY)) return true;
    sessionStorage.setItem(KEY, '1');
  } catch { /* storage may be off: play it */ }
  return false;
}

/** Plays the boot sequence in el, once a session, unless the user prefers reduced motion. */
export function boot(el) {
  if (matchMedia('(prefers-reduced-motion: reduce)').matches || played()) return;
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
