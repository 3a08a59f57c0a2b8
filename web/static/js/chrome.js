// chrome.js — the parts of the page around the display: the page-wide
// alert (dismissible), the history/trace tabs (arrow keys move between
// them), the phone's collapsed question form and its one-tap jump to the
// history.
const $ = (id) => document.getElementById(id);

/** Shows a page-wide message; one at a time, until dismissed or cleared. */
export function alertUser(message) {
  $('alert').textContent = message;
  $('alert-box').hidden = false;
}

/** Hides the page-wide message. */
export function clearAlert() {
  $('alert-box').hidden = true;
  $('alert').textContent = '';
}

/** Selects a tab of the side column and shows its panel. */
export function selectTab(tab, focus = false) {
  for (const other of document.querySelectorAll('.tabs [role="tab"]')) {
    const on = other === tab;
    other.setAttribute('aria-selected', String(on));
    other.tabIndex = on ? 0 : -1;
    $(other.getAttribute('aria-controls')).hidden = !on;
  }
  if (focus) tab.focus();
}

/** Whether the question form is folded to one line (a deliberation on a phone). */
export function formFolded() { return document.body.dataset.form === 'folded'; }

/** Folds the form to its one-line button when a deliberation is on screen, unfolds it when not. */
export function foldForm(fold) {
  document.body.dataset.form = fold ? 'folded' : 'open';
  $('form-open').setAttribute('aria-expanded', String(!fold));
}

/** Wires the alert's close button, the tabs' keys, the form's button and the history jump. */
export function wireChrome() {
  $('alert-close').addEventListener('click', clearAlert);
  const tabs = [...document.querySelectorAll('.tabs [role="tab"]')];
  for (const [i, tab] of tabs.entries()) {
    tab.addEventListener('click', () => selectTab(tab));
    tab.addEventListener('keydown', (e) => {
      const j = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (j === undefined) return;
      e.preventDefault();
      selectTab(tabs[(j + tabs.length) % tabs.length], true);
    });
  }
  $('form-open').addEventListener('click', () => {
    foldForm(false);
    $('question').focus();
  });
  $('history-jump').addEventListener('click', (e) => {
    e.preventDefault();
    selectTab($('tab-history'));
    $('side').scrollIntoView({ block: 'start' });
    $('tab-history').focus({ preventScroll: true });
  });
}
