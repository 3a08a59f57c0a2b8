// council.js — the state of one deliberation, folded from its events in
// seq order. Pure data: view.js and trace.js draw it.

/** The four members, sages first, as SPEC names them. */
export const MEMBERS = ['melchior', 'balthasar', 'casper', 'solomon'];

/** The three voting members. */
export const SAGES = ['melchior', 'balthasar', 'casper'];

/** Display names in the style of the original display. */
export const NAMES = { melchior: 'MELCHIOR·1', balthasar: 'BALTHASAR·2', casper: 'CASPER·3', solomon: 'SOLOMON' };

function newAgent(id, round = 1, info = null) {
  return {
    id, round, name: NAMES[id], provider: info?.provider || '', model: info?.model || '', text: '', verdict: null, errors: [],
    started: false, attempts: 0, retries: 0, fallbacks: 0, ttft: null, duration: null, tokens: null,
  };
}

/** A fresh, empty deliberation state. rounds[n-1] holds the sages of round n; agents the latest round's and SOLOMON. */
export function newState(id = '') {
  const agents = {};
  for (const m of MEMBERS) agents[m] = newAgent(m);
  const first = {};
  for (const s of SAGES) first[s] = agents[s];
  return {
    id, question: '', rule: '', simulated: false, agents, rounds: [first], maxRounds: 0, reasons: {}, infos: {}, council: null,
    conversation: id, parent: '', turn: 1,
    tally: null, outcome: null, fatal: null, lastSeq: 0, created: '',
  };
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

/** The round in progress (or the last one): the number of rounds begun. */
export function currentRound(st) { return st.rounds.length; }

/** Opens rounds up to n, each with fresh sages; the latest become st.agents. */
function openRound(st, n) {
  while (st.rounds.length < n) {
    const r = st.rounds.length + 1;
    const sages = {};
    for (const s of SAGES) {
      sages[s] = newAgent(s, r, st.infos[s]);
      st.agents[s] = sages[s];
    }
    st.rounds.push(sages);
  }
}

/** The part of the event's agent in the event's round (absent round: 1). */
function agentOf(st, ev) {
  if (!ev.agent || !st.agents[ev.agent]) return null;
  if (ev.agent === 'solomon') return st.agents.solomon;
  const r = ev.round || 1;
  openRound(st, r);
  return st.rounds[r - 1][ev.agent];
}

/**
 * applyEvent folds one event into st and returns what it touched: an agent
 * id, 'council' for the whole, or '' when nothing changed.
 */
export function applyEvent(st, ev) {
  st.lastSeq = ev.seq ?? st.lastSeq;
  const a = agentOf(st, ev);
  switch (ev.type) {
    case 'start':
      st.id = ev.deliberation_id || st.id;
      st.question = ev.question || '';
      st.rule = ev.rule || '';
      st.simulated = ev.simulated === true;
      st.created = ev.timestamp || '';
      st.maxRounds = ev.max_rounds || 0;
      st.conversation = ev.conversation_id || st.id;
      st.parent = ev.parent_id || '';
      st.turn = ev.turn || 1;
      st.council = ev.council || null; // {name, agents: [{id, provider, model, persona_sha256, …}]}
      for (const info of ev.agents || []) {
        const ag = st.agents[info.id];
        if (!ag) continue;
        st.infos[info.id] = { provider: info.provider || '', model: info.model || '' };
        Object.assign(ag, { name: NAMES[info.id] || info.name, provider: info.provider || '', model: info.model || '' });
      }
      return 'council';
    case 'round':
      openRound(st, ev.round || 1);
      st.reasons[ev.round] = ev.reason || '';
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
        decision: ev.decision, confidence: ev.confidence ?? 0, summary: ev.summary || '', changedFrom: ev.changed_from || '',
        conditions: ev.conditions || [], reason: ev.reason || '', scores: ev.scores || null,
      };
      return a.id;
    case 'tally':
      st.tally = { votes: ev.votes || {}, decision: ev.decision || '', conditions: ev.conditions || [], awaiting: ev.awaiting || '' };
      return 'council';
    case 'complete':
      st.outcome = {
        decision: ev.decision, rule: ev.rule || st.rule, votes: ev.votes || {}, confidence: ev.confidence ?? 0,
        summary: ev.summary || '', conditions: ev.conditions || [], scores: ev.scores || {}, rounds: ev.rounds || st.rounds.length,
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

/** The part of agent id in round r (SOLOMON's whatever r); the latest when r is falsy. */
export function agentIn(st, id, r) {
  if (id === 'solomon' || !r) return st.agents[id];
  return st.rounds[r - 1]?.[id] || st.agents[id];
}

/** Every call of every round, in order: each round's sages, then SOLOMON. */
export function calls(st) {
  const out = [];
  st.rounds.forEach((sages, i) => { for (const s of SAGES) out.push({ round: i + 1, agent: sages[s] }); });
  out.push({ round: st.rounds.length, agent: st.agents.solomon });
  return out;
}

/** SOLOMON's score for a sage: from the outcome, else from SOLOMON's verdict. */
export function score(st, id) {
  const s = st.outcome?.scores?.[id] ?? st.agents.solomon.verdict?.scores?.[id];
  return typeof s === 'number' ? s : null;
}
