// council.js — the state of one deliberation, folded from its events in
// seq order. Pure data: view.js and trace.js draw it.

/** The four members, sages first, as SPEC names them. */
export const MEMBERS = ['melchior', 'balthasar', 'casper', 'solomon'];

/** Display names in the style of the original display. */
export const NAMES = { melchior: 'MELCHIOR·1', balthasar: 'BALTHASAR·2', casper: 'CASPER·3', solomon: 'SOLOMON' };

function newAgent(id) {
  return {
    id, name: NAMES[id], provider: '', model: '', text: '', verdict: null, errors: [],
    started: false, attempts: 0, retries: 0, fallbacks: 0, ttft: null, duration: null, tokens: null,
  };
}

/** A fresh, empty deliberation state. */
export function newState(id = '') {
  const agents = {};
  for (const m of MEMBERS) agents[m] = newAgent(m);
  return { id, question: '', rule: '', simulated: false, agents, outcome: null, fatal: null, lastSeq: 0, created: '' };
}

/** The phase of an agent: waiting, thinking, or its decision. */
export function phase(a) {
  if (a.verdict) return a.verdict.decision || 'ABSTAINED';
  return a.started || a.text ? 'thinking' : 'waiting';
}

/** Whether st has ended: completed or failed. */
export function ended(st) { return Boolean(st.outcome || st.fatal); }

/** Whether any sign says no real model answered. */
export function simulated(st) {
  return st.simulated || MEMBERS.some((m) => st.agents[m].provider === 'sim');
}

/**
 * applyEvent folds one event into st and returns what it touched: an agent
 * id, 'council' for the whole, or '' when nothing changed.
 */
export function applyEvent(st, ev) {
  st.lastSeq = ev.seq ?? st.lastSeq;
  const a = ev.agent ? st.agents[ev.agent] : null;
  switch (ev.type) {
    case 'start':
      st.id = ev.deliberation_id || st.id;
      st.question = ev.question || '';
      st.rule = ev.rule || '';
      st.simulated = ev.simulated === true;
      st.created = ev.timestamp || '';
      for (const info of ev.agents || []) {
        const ag = st.agents[info.id];
        if (ag) Object.assign(ag, { name: NAMES[info.id] || info.name, provider: info.provider || '', model: info.model || '' });
      }
      return 'council';
    case 'chunk':
      if (!a) return '';
      a.started = true;
      a.text += ev.content || '';
      return a.id;
    case 'trace':
      return a ? applyTrace(a, ev.stage, ev.trace || {}) : '';
    case 'verdict':
      if (!a) return '';
      a.verdict = {
        decision: ev.decision, confidence: ev.confidence ?? 0, summary: ev.summary || '',
        conditions: ev.conditions || [], reason: ev.reason || '', scores: ev.scores || null,
      };
      return a.id;
    case 'complete':
      st.outcome = {
        decision: ev.decision, rule: ev.rule || st.rule, votes: ev.votes || {}, confidence: ev.confidence ?? 0,
        summary: ev.summary || '', conditions: ev.conditions || [], scores: ev.scores || {},
        tieBreak: ev.tie_break === true, note: ev.note || '', usage: ev.usage || null, duration: ev.duration_ms ?? null,
      };
      return 'council';
    case 'error':
      if (ev.fatal) {
        st.fatal = { code: ev.code || 'error', message: ev.message || '' };
        return 'council';
      }
      if (a) { a.errors.push(`${ev.code ? `${ev.code}: ` : ''}${ev.message || ''}`); return a.id; }
      return '';
    default:
      return '';
  }
}

function applyTrace(a, stage, tr) {
  switch (stage) {
    case 'agent_start':
      a.started = true;
      a.attempts++;
      if (tr.provider) { a.provider = tr.provider; a.model = tr.model || a.model; }
      break;
    case 'first_token':
      a.ttft = tr.latency_ms ?? a.ttft;
      break;
    case 'retry':
      a.retries++;
      if (tr.error) a.errors.push(`retry ${tr.attempt ?? a.retries}${tr.delay_ms ? ` after ${tr.delay_ms} ms` : ''}: ${tr.error}`);
      break;
    case 'fallback':
      a.fallbacks++;
      if (tr.provider) { a.provider = tr.provider; a.model = tr.model || a.model; }
      if (tr.error) a.errors.push(`fallback to ${tr.provider || '?'}/${tr.model || '?'}: ${tr.error}`);
      break;
    case 'agent_done':
      a.duration = tr.duration_ms ?? a.duration;
      if (tr.tokens) a.tokens = tr.tokens;
      break;
    default:
      return '';
  }
  return a.id;
}

/** SOLOMON's score for a sage: from the outcome, else from SOLOMON's verdict. */
export function score(st, id) {
  const s = st.outcome?.scores?.[id] ?? st.agents.solomon.verdict?.scores?.[id];
  return typeof s === 'number' ? s : null;
}
