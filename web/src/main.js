// The officers' map: zones coloured by catchment, schools, the side panel,
// and editing through the server's JSON API (see README, "The officers'
// map"). The server owns the plan; this page only draws what it answers.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import '../style.css';

const $ = (id) => document.getElementById(id);
const STAGES = ['primary', 'junior'];
// Sent with every POST: the server accepts changes only from the page it
// served (a page elsewhere cannot read this token).
const TOKEN = document.querySelector('meta[name="catchment-token"]')?.content ?? '';

// The page's words: the [web] table of src/i18n/{zh,en}.toml, Chinese
// unless the server was started with --lang en or the address asks for
// ?lang=en. `{name}` placeholders are filled from `vars` (already escaped
// where they hold names).
let STRINGS = {};
const LANG = new URLSearchParams(location.search).get('lang');
const t = (key, vars = {}) => (STRINGS[key] ?? key).replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
const stageName = (st) => t(`stage_${st}`);
const actionName = (a) => t(`action_${a}`);

async function loadStrings() {
  STRINGS = await getJSON(`/api/strings${LANG ? `?lang=${encodeURIComponent(LANG)}` : ''}`);
  document.documentElement.lang = LANG === 'en' ? 'en' : 'zh-CN';
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll('[data-t-title]')) el.title = t(el.dataset.tTitle);
  for (const el of document.querySelectorAll('[data-t-placeholder]')) el.placeholder = t(el.dataset.tPlaceholder);
  for (const el of document.querySelectorAll('[data-t-aria]')) el.setAttribute('aria-label', t(el.dataset.tAria));
}
// School names are written on the map from this zoom on.
const LABEL_ZOOM = 14;

const state = {
  config: null,
  schools: [],
  zones: [],
  plan: null,
  stage: 'primary',
  selected: new Set(),
  school: null,
  shortages: [],
  busy: false,
  lasso: null,
  zoneIndex: new Map(),
  schoolIndex: new Map(),
  zoneLayers: [],
  zoneStyleKey: [],
  markers: [],
  outlines: { primary: new Map(), junior: new Map() },
  outlineGroups: {},
  lastUpdateMs: null,
  history: null,
  today: { primary: null, junior: null },
  todayLayer: null,
  labels: [],
  // The ways drawn from the one selected compound: to its school and to
  // the school picked for it in "any school" (GET /api/route).
  routeLayer: null,
  routes: [],
  routeAsked: 0,
  // The nearby schools of the selection (GET /api/nearby), and the
  // selection whose answer is awaited.
  nearby: null,
  nearbyAsked: null,
};

// The page's numbers are whole or have one or two decimals; Chinese readers
// expect thousands grouped the same way as English ones.
const fmt = (x, digits = 0) =>
  x === null || x === undefined
    ? '–'
    : Number(x).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (x, digits = 1) => (x === null || x === undefined ? '–' : `${fmt(x * 100, digits)} %`);
const esc = (s) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

async function api(method, path, body, type = 'application/json') {
  const init = { method, headers: {} };
  if (method !== 'GET') init.headers['X-Catchment-Token'] = TOKEN;
  if (body !== undefined) {
    init.body = body;
    init.headers['Content-Type'] = type;
  }
  const r = await fetch(path, init);
  let data;
  try {
    data = await r.json();
  } catch {
    data = { error: `${r.status} ${r.statusText}` };
  }
  return { ok: r.ok, status: r.status, data };
}

async function getJSON(path) {
  const r = await api('GET', path);
  if (!r.ok) throw new Error(`${path}: ${r.data.error}`);
  return r.data;
}

const frames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));

// ---------------------------------------------------------------- the plan

const stagePlan = () => state.plan.stages[state.stage];

function figuresOf(stage) {
  const m = new Map();
  for (const f of state.plan.stages[stage].schools) m.set(f.school, f);
  return m;
}

function locksByZone() {
  const m = new Map();
  for (const l of state.plan.locks) {
    if (l.stage !== state.stage) continue;
    const z = state.zoneIndex.get(l.zone);
    if (!m.has(z)) m.set(z, []);
    m.get(z).push({ school: state.schoolIndex.get(l.school), action: l.action });
  }
  return m;
}

// ------------------------------------------------------------------ styles

let derived = null;
function derive() {
  const p = stagePlan();
  derived = {
    unplaced: new Map(p.unplaced.map((u) => [u.zone, u])),
    changed: new Set(p.changed),
    locks: locksByZone(),
    figures: figuresOf(state.stage),
    violating: new Set(state.plan.summary.violations.filter((v) => v.stage === state.stage).map((v) => state.schoolIndex.get(v.school_id))),
  };
}

function zoneStyle(i) {
  const s = stagePlan().school[i];
  const style = {
    fillColor: s >= 0 ? state.schools[s].color[state.stage] : '#eeeeee',
    fillOpacity: 0.78,
    color: '#ffffff',
    weight: 0.6,
    opacity: 0.9,
    dashArray: null,
  };
  if (derived.unplaced.has(i)) Object.assign(style, { color: '#d7191c', weight: 2 });
  const locks = derived.locks.get(i);
  if (locks) Object.assign(style, { color: '#111111', weight: 1.8, dashArray: locks.some((l) => l.action === 'pin') ? '5 3' : '1 3' });
  if (derived.changed.has(i)) Object.assign(style, { color: '#e7298a', weight: 2.8, dashArray: null });
  if (state.selected.has(i)) Object.assign(style, { color: '#0050ff', weight: 3.2, dashArray: null });
  return style;
}

// Restyles only the zones whose look changed: a re-optimization touches a
// few, and Leaflet's canvas then repaints only around them.
function restyleZones() {
  derive();
  for (let i = 0; i < state.zoneLayers.length; i++) {
    const st = zoneStyle(i);
    const key = `${st.fillColor}|${st.color}|${st.weight}|${st.dashArray}`;
    if (state.zoneStyleKey[i] !== key) {
      state.zoneStyleKey[i] = key;
      state.zoneLayers[i].setStyle(st);
    }
  }
}

function markerStyle(i) {
  const s = state.schools[i];
  const f = derived.figures.get(i);
  const takes = s.catchment[state.stage];
  const alarm = derived.violating.has(i) || state.shortages.some((x) => x.school_index === i);
  const chosen = state.school === i;
  return {
    radius: takes ? 3 + 0.6 * Math.sqrt(f ? f.intake : 0) : 4,
    fill: takes,
    fillColor: s.color[state.stage],
    fillOpacity: 1,
    color: chosen ? '#0050ff' : alarm ? '#d7191c' : takes ? '#333333' : '#666666',
    weight: chosen || alarm ? 3.5 : 1.5,
  };
}

function restyleMarkers() {
  state.markers.forEach((m, i) => {
    const teaches = state.schools[i].kind === 'nine_year' || state.schools[i].kind === state.stage;
    if (!teaches) {
      if (m._map) m.remove();
      return;
    }
    if (!m._map) m.addTo(state.schoolLayer);
    const st = markerStyle(i);
    m.setStyle(st);
    m.setRadius(st.radius);
  });
}

function setOutlines(stage, features, replace) {
  const group = state.outlineGroups[stage];
  const layers = state.outlines[stage];
  if (replace) {
    group.clearLayers();
    layers.clear();
  }
  for (const [k, f] of features) {
    const s = Number(k);
    if (layers.has(s)) {
      group.removeLayer(layers.get(s));
      layers.delete(s);
    }
    if (f) {
      const layer = L.geoJSON(f, {
        renderer: state.outlineRenderer,
        interactive: false,
        style: { color: '#262626', weight: 1.6, opacity: 0.85, fill: false },
      });
      group.addLayer(layer);
      layers.set(s, layer);
    }
  }
}

function showStageOutlines() {
  for (const st of STAGES) {
    const g = state.outlineGroups[st];
    if (st === state.stage && !state.map.hasLayer(g)) g.addTo(state.map);
    if (st !== state.stage && state.map.hasLayer(g)) g.remove();
  }
}

// --------------------------------------------------------------- the panel

function summaryHTML() {
  const s = state.plan.summary;
  const row = (label, f, key) =>
    `<tr><th>${label}</th>${STAGES.map((st) => `<td data-k="${key}-${st}">${f(s.stages[st], st)}</td>`).join('')}</tr>`;
  const pins = state.plan.locks.filter((l) => l.action === 'pin').length;
  const forbids = state.plan.locks.length - pins;
  const changed = (st) => t('changed_value', { children: fmt(state.plan.stages[st].changed_since_start.children), zones: fmt(state.plan.stages[st].changed_since_start.zones) });
  const note = t('summary_note', { gap: pct(s.total.gap, 2), pins: `<span data-k="locks">${pins}</span>`, forbids, seconds: fmt(state.plan.seconds, 2) });
  const update = state.lastUpdateMs === null ? '' : t('summary_note_update', { ms: `<span data-k="update-ms">${fmt(state.lastUpdateMs)}</span>` });
  return `<h2>${t('county')}</h2>
    <table class="figures">
      <tr><th></th><th>${t('stage_primary')}</th><th>${t('stage_junior')}</th></tr>
      ${row(t('children'), (x) => fmt(x.children), 'children')}
      ${row(t('unplaced'), (x) => `<span class="${x.unplaced ? 'bad' : ''}">${fmt(x.unplaced)}</span>`, 'unplaced')}
      ${row(t('gap'), (x) => pct(x.gap, 2), 'gap')}
      ${row(t('gap_unlocked'), (x, st) => unlockedGap(st), 'gap_unlocked')}
      ${row(t('pieces'), (x, st) => piecesCell(st), 'pieces')}
      ${row(t('far'), (x, st) => farCell(st), 'far')}
      ${row(t('violations'), (x) => `<span class="${x.violations ? 'bad' : 'good'}">${fmt(x.violations)}</span>`, 'violations')}
      ${row(t('moved'), (x) => fmt(x.moved), 'moved')}
      ${row(t('changed'), (x, st) => changed(st), 'changed')}
      ${row(t('mean_km'), (x) => fmt(x.mean_km, 2), 'mean_km')}
    </table>
    <p class="note">${note}${update}</p>
    ${s.violations.length ? `<ul class="bad">${s.violations.map((v) => `<li>${esc(v.school_id)} (${stageName(v.stage)}): ${esc(v.problem)}</li>`).join('')}</ul>` : ''}
    ${warningsHTML()}`;
}

// ---------------------------------------------------------------- warnings
// Harm that "violations 0" does not show: a catchment cut into pieces,
// children sent beyond max_km (or the county's 99th percentile), and the
// price of the locks against the bound of the plan without them.

// The locks cost something worth a warning: at least this many child-km
// over the plan without them (below, the difference is the heuristics').
const PRICE_KM = 0.5;

function unlockedGap(st) {
  const w = state.plan.warnings[st].without_locks;
  const cls = state.plan.locks.length && w.price_over_unlocked_plan_km >= PRICE_KM ? 'bad' : '';
  return `<span class="${cls}" title="${esc(t('gap_unlocked_tip', { km: fmt(w.price_km, 1) }))}">${pct(w.gap, 2)}</span>`;
}

function piecesCell(st) {
  const w = state.plan.warnings[st];
  return `<span class="${w.pieces.length > w.pieces_at_start ? 'bad' : ''}">${fmt(w.pieces.length)}</span>`;
}

function farCell(st) {
  const w = state.plan.warnings[st];
  return `<span class="${w.far_zones ? 'bad' : ''}">${fmt(w.far_zones)}</span>`;
}

function warningsHTML() {
  const items = [];
  for (const st of STAGES) {
    const w = state.plan.warnings[st];
    const stage = stageName(st);
    for (const p of w.pieces) {
      const school = `<a href="#" data-school="${p.school}">${esc(p.name)}</a>`;
      items.push(`<li data-k="warn-pieces-${st}">${t('warn_pieces', { stage, school, zones: fmt(p.zones_apart.length), reason: esc(p.reason) })}</li>`);
    }
    if (w.far_zones) {
      const line = t(w.far_basis === 'max_km' ? 'warn_far_max_km' : 'warn_far_p99');
      const list =
        w.far
          .slice(0, 5)
          .map((f) => `<a href="#" data-zone="${f.zone}">${esc(f.name)}</a> ${fmt(f.km, 1)} km`)
          .join('、') + (w.far_zones > 5 ? ' …' : '');
      items.push(`<li data-k="warn-far-${st}">${t('warn_far', { stage, zones: fmt(w.far_zones), children: fmt(w.far_children), line, km: fmt(w.far[0].line_km, 1), list })}</li>`);
    }
    const u = w.without_locks;
    if (state.plan.locks.length && u.gap !== null && u.price_over_unlocked_plan_km >= PRICE_KM) {
      items.push(`<li data-k="warn-price-${st}">${t('warn_price', { stage, km: fmt(u.price_over_unlocked_plan_km, 1), gap: pct(u.gap, 2), gap_locked: pct(w.gap_with_locks, 2) })}</li>`);
    }
  }
  if (!items.length) return '';
  return `<h3 class="bad">${t('warnings')}</h3><ul class="warnings" data-k="warnings">${items.join('')}</ul>`;
}

// ----------------------------------------------------------------- history

async function loadHistory() {
  try {
    state.history = await getJSON('/api/history');
  } catch (e) {
    state.history = null;
    setStatus(e.message, true);
  }
  $('history').innerHTML = historyHTML();
}

function historyHTML() {
  const h = state.history;
  if (!h) return '';
  const delta = (x) => (x > 0 ? `+${fmt(x, 1)}` : fmt(x, 1));
  const rows = h.edits
    .map((e) => {
      const when = e.time.slice(5, 16).replace('T', ' ');
      const what =
        e.action === 'import'
          ? t('history_locks', { count: fmt(e.imported) })
          : e.zones
            ? `${e.zone_names.map(esc).join('、')}${e.zones > e.zone_names.length ? ` … (${fmt(e.zones)})` : ''}${e.school_name ? ` → ${esc(e.school_name)}` : ''}`
            : '';
      return `<li data-seq="${e.seq}"><span class="when">#${e.seq} ${esc(when)}</span>${esc(actionName(e.action))} ${what}
        <br><small>${t('history_delta', { primary: delta(e.delta_km.primary), junior: delta(e.delta_km.junior), locks: fmt(e.locks) })}</small></li>`;
    })
    .join('');
  return `<h2>${t('history')} · <span data-k="edits">${fmt(h.edits.length)}</span></h2>
    <p class="note">${t('history_note', { path: esc(h.journal) })}</p>
    ${rows ? `<ol class="history">${rows}</ol>` : `<p class="note">${t('history_none')}</p>`}`;
}

// The schools nearest the selection, as the server measures them (along
// the roads where the plan does): kept per selection and stage, asked for
// by showNearby() after the panel is drawn.
const nearbyKey = (zones) => `${state.stage}|${zones.join(',')}`;

function nearbySchools(zones) {
  const counties = new Set(zones.map((z) => state.zones[z].properties.county ?? null));
  if (counties.size > 1) return { error: t('several_counties') };
  const known = state.nearby;
  return known && known.key === nearbyKey(zones) ? known : { loading: true };
}

async function showNearby() {
  const zones = [...state.selected];
  const key = nearbyKey(zones);
  if (!zones.length || nearbySchools(zones).error || state.nearby?.key === key || state.nearbyAsked === key) return;
  state.nearbyAsked = key;
  const ids = zones.map((z) => encodeURIComponent(state.zones[z].properties.id)).join(',');
  let answer;
  try {
    const r = await getJSON(`/api/nearby?zones=${ids}&stage=${state.stage}`);
    answer = { key, list: r.schools };
  } catch (e) {
    answer = { key, error: e.message };
  }
  if (state.nearbyAsked === key) state.nearbyAsked = null;
  if (nearbyKey([...state.selected]) !== key) return;
  state.nearby = answer;
  $('selection').innerHTML = selectionHTML();
}

function selectionHTML() {
  const zones = [...state.selected];
  if (!zones.length) {
    return `<h2>${t('selection')}</h2><p class="note">${t('selection_hint')}</p>`;
  }
  const p = stagePlan();
  const si = state.stage === 'primary' ? 0 : 2;
  let local = 0;
  let migrant = 0;
  for (const z of zones) {
    local += state.zones[z].properties.children[si];
    migrant += state.zones[z].properties.children[si + 1];
  }
  const current = new Set(zones.map((z) => p.school[z]));
  const names = zones.slice(0, 6).map((z) => esc(state.zones[z].properties.name)).join('、') + (zones.length > 6 ? ` … (+${zones.length - 6})` : '');
  const locked = zones.filter((z) => derived.locks.has(z));
  const near = nearbySchools(zones);
  let rows = '';
  if (near.error) rows = `<p class="bad">${esc(near.error)}</p>`;
  else if (near.loading) rows = `<p class="note">${t('nearby_loading')}</p>`;
  else {
    rows = `<table class="nearby"><tr><th>${t('school_col')}</th><th>${t('km_col')}</th><th title="${esc(t('free_tip'))}">${t('free_col')}</th><th></th></tr>${near.list
      .map(({ school, km }) => {
        const s = state.schools[school];
        const f = derived.figures.get(school);
        const free = f ? f.seats - f.intake : 0;
        const isCurrent = current.size === 1 && current.has(school);
        return `<tr class="${isCurrent ? 'current' : ''}">
          <td><span class="swatch" style="background:${s.color[state.stage]}"></span><a href="#" data-school="${school}">${esc(s.name)}</a>${isCurrent ? ` <em>${t('current_school')}</em>` : ''}</td>
          <td>${fmt(km, 2)}</td><td>${fmt(free)}</td>
          <td><button type="button" class="pin" data-pin="${esc(s.id)}" data-free="${free}" data-color="${s.color[state.stage]}" ${isCurrent ? 'data-current="1"' : ''} title="${esc(t('pin_tip'))}">${t('pin')}</button>
          <button type="button" class="forbid" data-forbid="${esc(s.id)}" title="${esc(t('forbid_tip'))}">${t('forbid')}</button></td></tr>`;
      })
      .join('')}</table>`;
  }
  const lockLines = locked
    .slice(0, 6)
    .map((z) =>
      derived.locks
        .get(z)
        .map((l) => t(l.action === 'pin' ? 'pinned_to' : 'forbidden_at', { zone: esc(state.zones[z].properties.name), school: esc(state.schools[l.school].name) }))
        .join('<br>'),
    )
    .join('<br>');
  const county = state.zones[zones[0]].properties.county ?? null;
  const anySchool = near.error
    ? ''
    : `<p class="pin-any">${t('any_school')} <select id="pin-any">${state.schools
        .map((s, i) => ({ s, i }))
        .filter(({ s }) => s.catchment[state.stage] && (s.county ?? null) === county)
        .sort((a, b) => a.s.name.localeCompare(b.s.name, 'zh-CN'))
        .map(({ s, i }) => `<option value="${esc(s.id)}" ${current.has(i) ? 'selected' : ''}>${esc(s.name)} (${esc(s.id)})</option>`)
        .join('')}</select>
      <button type="button" id="pin-any-go" title="${esc(t('pin_tip'))}">${t('pin')}</button>
      <button type="button" id="forbid-any-go" title="${esc(t('forbid_tip'))}">${t('forbid')}</button></p>`;
  const now = [...current].map((s) => (s >= 0 ? esc(state.schools[s].name) : '–')).join(', ');
  return `<h2>${t('selection')} · ${t('selection_zones', { count: zones.length })}</h2>
    <p>${names}</p>
    <p>${t('selection_children', { stage: stageName(state.stage), children: `<span data-k="sel-children">${fmt(local + migrant)}</span>`, local: fmt(local), migrant: fmt(migrant), schools: now })}</p>
    ${locked.length ? `<p class="locks">${lockLines}</p><button type="button" id="release">${t('release')}</button>` : ''}
    ${zones.length === 1 ? `<div id="routes">${routesHTML(state.routes)}</div>` : ''}
    <h3>${t('nearby')}</h3>${rows}${anySchool}`;
}

function schoolHTML() {
  if (state.school === null) return '';
  const i = state.school;
  const s = state.schools[i];
  const f = derived.figures.get(i);
  const short = state.shortages.filter((x) => x.school_index === i);
  const head = `<h2><span class="swatch" style="background:${s.color[state.stage]}"></span>${esc(s.name)} <small>${esc(s.id)} · ${t(`kind_${s.kind}`)} · ${t(`sector_${s.sector}`)}</small></h2>`;
  const shortHTML = short.length
    ? `<p class="bad" data-k="short">${t('short', {
        list: short.map((x) => t('short_item', { needed: fmt(x.needed), stage: x.stage ? stageName(x.stage) : t('stage_school_limit'), seats: fmt(x.seats), short: fmt(x.short) })).join('; '),
      })}</p>`
    : '';
  if (!f) return `${head}${shortHTML}<p class="note">${t('not_taught', { stage: stageName(state.stage) })}</p>`;
  if (!s.catchment[state.stage]) return `${head}${shortHTML}<p class="note">${t('private_school')}</p>`;
  const cfg = state.config.limits;
  const thresholds = cfg[state.stage].balance_thresholds;
  const indicators = f.indicators
    .map((v, k) => {
      const pass = f.indicator_pass[k];
      const cls = pass === null ? '' : pass ? 'good' : 'bad';
      return `<td class="${cls}" title="${esc(t('threshold', { value: thresholds[k] }))}">R${k + 1}<br>${v === null ? '–' : fmt(v, 2)}<br>${pass === null ? '–' : pass ? '✓' : '✗'}</td>`;
    })
    .join('');
  const over = (a, b) => (a > b ? 'bad' : '');
  const balance = f.balance_pass === null ? t('balance_none') : f.balance_pass ? t('balance_pass') : t('balance_fail');
  return `${head}${shortHTML}
    <table class="figures">
      <tr><th>${t('intake')}</th><td data-k="intake">${fmt(f.intake)}</td><td>${t('local_migrant', { local: fmt(f.local), migrant: fmt(f.migrant) })}</td></tr>
      <tr><th>${t('migrant_share')}</th><td data-k="migrant_share">${pct(f.migrant_share)}</td><td></td></tr>
      <tr><th>${t('classes')}</th><td data-k="classes">${fmt(f.classes)}</td><td>${t('classes_of', { count: f.classes_available ?? '–' })}</td></tr>
      <tr><th>${t('largest_class')}</th><td data-k="largest_class" class="${over(f.largest_class, cfg[state.stage].class_limit)}">${fmt(f.largest_class)}</td><td>${t('limit', { limit: cfg[state.stage].class_limit })}</td></tr>
      <tr><th>${t('seats')}</th><td data-k="seats">${fmt(f.seats)}</td><td>${t('utilization', { value: `<span data-k="utilization" class="${over(f.intake, f.seats)}">${pct(f.utilization)}</span>` })}</td></tr>
      <tr><th>${t('school_total')}</th><td data-k="school_total" class="${over(f.school_total, f.school_limit)}">${fmt(f.school_total)}</td><td>${t('school_limit', { limit: fmt(f.school_limit), continuing: fmt(f.continuing) })}</td></tr>
      <tr><th>${t('moved')}</th><td data-k="moved_in">+${fmt(f.moved_in)}</td><td>${t('moved_in_out', { out: fmt(f.moved_out) })}</td></tr>
      <tr><th>${t('zones')}</th><td data-k="zones">${fmt(f.zones)}</td><td>${t('zones_km', { mean: fmt(f.mean_km, 2), max: fmt(f.max_km, 2) })}</td></tr>
    </table>
    <table class="indicators"><tr>${indicators}</tr></table>
    <p>${t('balance')}: <span data-k="balance_pass" class="${f.balance_pass === null ? '' : f.balance_pass ? 'good' : 'bad'}">${balance}</span>
      ${f.violations.length ? `<br><span class="bad" data-k="school-violations">${f.violations.map(esc).join('; ')}</span>` : ''}</p>`;
}

function errorHTML(data) {
  const rows = (data.shortages || [])
    .map((s) => `<tr><td><a href="#" data-school="${s.school_index}">${esc(s.name ?? s.school)}</a></td><td>${s.stage ? stageName(s.stage) : t('stage_school_limit')}</td><td>${fmt(s.needed)}</td><td>${fmt(s.seats)}</td><td class="bad">${fmt(s.short)}</td></tr>`)
    .join('');
  const head = ['refused_school', 'refused_stage', 'refused_needed', 'refused_seats', 'refused_short'].map((k) => `<th>${t(k)}</th>`).join('');
  return `<h2>${t('refused')}</h2><p>${esc(data.error)}</p>
    ${rows ? `<table class="figures"><tr>${head}</tr>${rows}</table>` : ''}
    <p class="note">${t('refused_note')}</p>`;
}

function renderPanel() {
  $('summary').innerHTML = summaryHTML();
  $('selection').innerHTML = selectionHTML();
  $('school').innerHTML = schoolHTML();
  $('undo').disabled = state.busy || state.plan.undo === 0;
  $('redo').disabled = state.busy || state.plan.redo === 0;
  for (const b of document.querySelectorAll('#panel button, #export, #import')) b.disabled = state.busy;
}

function redraw() {
  restyleZones();
  restyleMarkers();
  showStageOutlines();
  renderPanel();
  showRoutes();
  showNearby();
}

// ---------------------------------------------------------------- changes

function setStatus(text, bad = false) {
  $('status').textContent = text;
  $('status').className = bad ? 'bad' : '';
}

// Applies an answer that carries a plan: outlines first (only the changed
// ones when they follow on from what is drawn), then colours and panel.
function clearRefusal() {
  state.shortages = [];
  $('error').hidden = true;
}

async function applyPlan(data, started) {
  const from = state.plan ? state.plan.version : null;
  state.plan = data;
  clearRefusal();
  // The panel follows the compound to the school it now goes to.
  if (state.selected.size === 1) {
    const s = stagePlan().school[[...state.selected][0]];
    if (s >= 0) state.school = s;
  }
  if (data.outlines && data.outlines.from === from) {
    for (const st of STAGES) setOutlines(st, Object.entries(data.outlines[st]), false);
  } else {
    await loadOutlines();
  }
  redraw();
  await frames();
  state.lastUpdateMs = Math.round(performance.now() - started);
  $('summary').innerHTML = summaryHTML();
  await loadHistory();
  window.__catchment.version = data.version;
}

async function loadOutlines() {
  const all = await Promise.all(STAGES.map((st) => getJSON(`/api/outlines?stage=${st}`)));
  STAGES.forEach((st, k) => setOutlines(st, all[k].features.map((f) => [f.id, f]), true));
}

async function change(method, path, body, type, doing) {
  if (state.busy) return;
  state.busy = true;
  clearRefusal();
  renderPanel();
  setStatus(`${doing} …`);
  const started = performance.now();
  try {
    const r = await api(method, path, body, type);
    if (r.ok) {
      await applyPlan(r.data, started);
      const n = STAGES.reduce((a, st) => a + r.data.stages[st].changed.length, 0);
      setStatus(t('status_done', { doing, seconds: fmt((performance.now() - started) / 1000, 2), count: n }));
    } else {
      state.shortages = r.data.shortages || [];
      $('error').innerHTML = errorHTML(r.data);
      $('error').hidden = false;
      if (state.shortages.length && state.shortages[0].school_index !== null) state.school = state.shortages[0].school_index;
      setStatus(t('status_refused', { doing, status: r.status }), true);
    }
  } catch (e) {
    setStatus(t('status_failed', { doing, message: e.message }), true);
  } finally {
    state.busy = false;
    redraw();
    window.__catchment.busy = false;
  }
}

function lockChange(action, school) {
  const zones = [...state.selected].map((z) => state.zones[z].properties.id);
  const body = { action, zones, stage: state.stage };
  if (school) body.school = school;
  window.__catchment.busy = true;
  const doing = actionName(action);
  return change('POST', '/api/locks', JSON.stringify(body), 'application/json', doing);
}

async function importCsv(text) {
  window.__catchment.busy = true;
  await change('POST', '/api/import', text, 'text/csv', actionName('import'));
}

async function exportAll() {
  setStatus(`${t('exporting')} …`);
  const r = await api('POST', '/api/export', '{}');
  if (!r.ok) {
    setStatus(`${t('exporting')}: ${r.data.error}`, true);
    return;
  }
  $('exports').innerHTML = `<h2>${t('exported')}</h2><p class="note">${t('exported_to', { folder: esc(r.data.folder) })}</p><ul>${r.data.files
    .map((f) => `<li><a href="${f.url}" download="${esc(f.name)}">${esc(f.name)}</a> <small>${fmt(f.bytes / 1024, 1)} KB</small></li>`)
    .join('')}</ul>`;
  $('exports').hidden = false;
  setStatus(t('exported_to', { folder: r.data.folder }));
}

// ---------------------------------------------------------------- routes

// The way from the one selected compound to its school (solid) and, where
// another school is picked in "any school", to that one (dashed), with the
// road km the server measures: the plan's own distance, so an officer sees
// the river or expressway a straight line would cross.
async function showRoutes() {
  const asked = ++state.routeAsked;
  const zones = [...state.selected];
  const asks = [];
  if (zones.length === 1) {
    const z = zones[0];
    const now = stagePlan().school[z];
    const picked = $('pin-any')?.value;
    if (now >= 0) asks.push({ kind: 'current', school: state.schools[now].id });
    if (picked && (now < 0 || picked !== state.schools[now].id)) asks.push({ kind: 'reassigned', school: picked });
    const zone = encodeURIComponent(state.zones[z].properties.id);
    await Promise.all(
      asks.map(async (a) => {
        try {
          a.feature = await getJSON(`/api/route?zone=${zone}&stage=${state.stage}&school=${encodeURIComponent(a.school)}`);
        } catch (e) {
          a.error = e.message;
        }
      }),
    );
  }
  if (asked !== state.routeAsked) return;
  state.routeLayer.clearLayers();
  state.routes = asks.filter((a) => a.feature);
  for (const a of state.routes) {
    const s = state.schools[state.schoolIndex.get(a.school)];
    const latlngs = a.feature.geometry.coordinates.map(([lon, lat]) => [lat, lon]);
    L.polyline(latlngs, {
      pane: 'routes',
      color: s?.color[state.stage] ?? '#333',
      weight: a.kind === 'current' ? 5 : 4,
      opacity: 0.9,
      dashArray: a.kind === 'current' ? null : '8 6',
      interactive: false,
    }).addTo(state.routeLayer);
  }
  const box = $('routes');
  if (box) box.innerHTML = routesHTML(asks);
}

function routesHTML(asks) {
  if (!asks.length) return '';
  return asks
    .map((a) => {
      const s = state.schools[state.schoolIndex.get(a.school)];
      const name = esc(s?.name ?? a.school);
      if (a.error) return `<p class="bad">${t('route_failed', { school: name, message: esc(a.error) })}</p>`;
      const p = a.feature.properties;
      const key = p.distance === 'straight' ? 'route_straight' : `route_${a.kind}`;
      return `<p class="route route-${a.kind}" data-route="${a.kind}">${t(key, { school: name, km: fmt(p.km, 2) })}</p>`;
    })
    .join('');
}

// ------------------------------------------------------------- selection

function select(zones, add) {
  clearRefusal();
  if (!add) state.selected.clear();
  for (const z of zones) {
    if (add && state.selected.has(z) && zones.length === 1) state.selected.delete(z);
    else state.selected.add(z);
  }
  if (state.selected.size === 1) {
    const s = stagePlan().school[[...state.selected][0]];
    if (s >= 0) state.school = s;
  }
  restyleZones();
  restyleMarkers();
  renderPanel();
  showRoutes();
  showNearby();
}

function insidePolygon([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function startLasso() {
  const map = state.map;
  state.lasso = { points: [], line: null };
  map.dragging.disable();
  map.getContainer().classList.add('lassoing');
  $('lasso').classList.add('on');
  const move = (e) => {
    state.lasso.points.push(e.latlng);
    state.lasso.line.setLatLngs(state.lasso.points);
  };
  const up = (e) => {
    map.off('mousemove', move);
    map.off('mouseup', up);
    // The browser's click follows this mouseup: it must not replace the
    // lasso's selection with the zone under the pointer.
    state.lassoEnded = performance.now();
    const ring = state.lasso.points.map((p) => [p.lng, p.lat]);
    state.lasso.line.remove();
    endLasso();
    if (ring.length < 3) return;
    const hit = [];
    state.zones.forEach((z, i) => {
      if (insidePolygon(z.properties.inside, ring)) hit.push(i);
    });
    select(hit, e.originalEvent.shiftKey);
  };
  state.lasso.down = (e) => {
    map.off('mousedown', state.lasso.down);
    state.lasso.points = [e.latlng];
    state.lasso.line = L.polyline(state.lasso.points, { pane: 'lasso', renderer: state.lassoRenderer, color: '#0050ff', weight: 2, dashArray: '4 4', interactive: false }).addTo(map);
    map.on('mousemove', move);
    map.on('mouseup', up);
  };
  map.on('mousedown', state.lasso.down);
}

function endLasso() {
  state.map.dragging.enable();
  state.map.getContainer().classList.remove('lassoing');
  $('lasso').classList.remove('on');
  if (state.lasso) state.map.off('mousedown', state.lasso.down);
  state.lasso = null;
}

// ------------------------------------------------------------------- tips

function showTip(html, e) {
  const tip = $('tip');
  tip.innerHTML = html;
  tip.hidden = false;
  moveTip(e);
}
function moveTip(e) {
  const tip = $('tip');
  if (tip.hidden || !e.originalEvent) return;
  tip.style.left = `${e.originalEvent.clientX + 14}px`;
  tip.style.top = `${e.originalEvent.clientY + 14}px`;
}
function zoneTip(i) {
  const z = state.zones[i].properties;
  const p = stagePlan();
  const si = state.stage === 'primary' ? 0 : 2;
  const s = p.school[i];
  const u = derived.unplaced.get(i);
  return `<strong>${esc(z.name)}</strong> <small>${esc(z.id)}</small><br>
    ${t('tip_children', { stage: stageName(state.stage), children: fmt(z.children[si] + z.children[si + 1]), local: fmt(z.children[si]), migrant: fmt(z.children[si + 1]) })}<br>
    → ${s >= 0 ? esc(state.schools[s].name) : t('no_school')}${p.metres[i] >= 0 ? `, ${fmt(p.metres[i] / 1000, 2)} km` : ''}
    ${u ? `<br><span class="bad">${t('tip_unplaced', { children: fmt(u.children), reason: esc(u.reason) })}</span>` : ''}`;
}
function schoolTip(i) {
  const s = state.schools[i];
  const f = derived.figures.get(i);
  return `<strong>${esc(s.name)}</strong> <small>${esc(s.id)}</small><br>${
    s.catchment[state.stage] && f ? t('tip_intake', { intake: fmt(f.intake), seats: fmt(f.seats), utilization: pct(f.utilization) }) : t('tip_private')
  }`;
}

// ----------------------------------------------------------------- search
// By name or id, compounds and schools; Chinese input methods compose a
// word before it is typed, so results wait for the composition to end.

function searchMatches(query) {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits = [];
  const rank = (name, id) => (id.toLowerCase() === q || name.toLowerCase() === q ? 0 : name.toLowerCase().startsWith(q) ? 1 : 2);
  state.schools.forEach((s, i) => {
    const teaches = s.kind === 'nine_year' || s.kind === state.stage;
    if (teaches && (s.name.toLowerCase().includes(q) || s.id.toLowerCase().includes(q))) hits.push({ kind: 'school', i, name: s.name, id: s.id, rank: rank(s.name, s.id) });
  });
  for (let i = 0; i < state.zones.length; i++) {
    const p = state.zones[i].properties;
    const name = String(p.name ?? '');
    const id = String(p.id);
    if (name.toLowerCase().includes(q) || id.toLowerCase().includes(q)) hits.push({ kind: 'zone', i, name, id, rank: rank(name, id) });
  }
  hits.sort((a, b) => a.rank - b.rank || a.name.length - b.name.length || a.i - b.i);
  return hits.slice(0, 12);
}

function hideSearch() {
  $('search-results').hidden = true;
}

function showSearch() {
  const hits = searchMatches($('search').value);
  state.searchHits = hits;
  const list = $('search-results');
  if (!$('search').value.trim()) {
    list.hidden = true;
    return;
  }
  list.innerHTML = hits.length
    ? hits
        .map((h, k) => `<li data-hit="${k}" class="${k === 0 ? 'active' : ''}">${h.kind === 'school' ? '🏫 ' : ''}${esc(h.name)} <small>${esc(h.id)} · ${t(h.kind === 'school' ? 'search_school' : 'search_zone')}</small></li>`)
        .join('')
    : `<li class="none">${t('search_none')}</li>`;
  list.hidden = false;
}

function jumpTo(hit) {
  hideSearch();
  clearRefusal();
  const zoom = Math.max(state.map.getZoom(), 15);
  if (hit.kind === 'zone') {
    const [lon, lat] = state.zones[hit.i].properties.centroid;
    state.map.setView([lat, lon], zoom, { animate: false });
    select([hit.i], false);
  } else {
    const [lon, lat] = state.schools[hit.i].location;
    state.map.setView([lat, lon], zoom, { animate: false });
    state.school = hit.i;
    restyleMarkers();
    renderPanel();
  }
}

function setupSearch() {
  const input = $('search');
  let composing = false;
  input.addEventListener('compositionstart', () => (composing = true));
  input.addEventListener('compositionend', () => {
    composing = false;
    showSearch();
  });
  input.addEventListener('input', () => {
    if (!composing) showSearch();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !composing && state.searchHits?.length) {
      e.preventDefault();
      jumpTo(state.searchHits[0]);
    } else if (e.key === 'Escape') {
      hideSearch();
      input.blur();
    }
  });
  $('search-results').addEventListener('mousedown', (e) => {
    const li = e.target.closest('[data-hit]');
    if (!li) return;
    e.preventDefault();
    jumpTo(state.searchHits[Number(li.dataset.hit)]);
  });
  input.addEventListener('blur', () => setTimeout(hideSearch, 150));
}

// ------------------------------------------------------------ map layers

// School names from LABEL_ZOOM on, for the schools of the stage shown.
function showLabels() {
  const on = state.map.getZoom() >= LABEL_ZOOM;
  state.labelLayer.clearLayers();
  if (!on) return;
  state.labels.forEach((m, i) => {
    const s = state.schools[i];
    if (s.kind === 'nine_year' || s.kind === state.stage) state.labelLayer.addLayer(m);
  });
}

// Today's catchments (current_*) outlined over the plan, dashed.
async function showToday() {
  if (state.todayLayer) {
    state.todayLayer.remove();
    state.todayLayer = null;
  }
  if (!$('today').checked) return;
  const stage = state.stage;
  if (!state.today[stage]) state.today[stage] = await getJSON(`/api/outlines?stage=${stage}&of=today`);
  if (!$('today').checked || stage !== state.stage) return;
  if (!state.today[stage].features.length) setStatus(t('today_none', { stage }), true);
  state.todayLayer = L.geoJSON(state.today[stage], {
    renderer: L.canvas({ pane: 'today', padding: 0.3 }),
    interactive: false,
    style: { color: '#7b3294', weight: 2.4, opacity: 0.9, dashArray: '7 5', fill: false },
  }).addTo(state.map);
}

function printMap() {
  const date = new Date().toISOString().slice(0, 10);
  $('print-title').textContent = t('print_title', { name: state.config.name, stage: stageName(state.stage), date });
  window.print();
}

// ------------------------------------------------------------------ start

function legend() {
  const c = L.control({ position: 'bottomleft' });
  c.onAdd = () => {
    const d = L.DomUtil.create('div', 'legend');
    d.innerHTML = `<div><span class="swatch" style="background:#8dd3c7"></span><span class="swatch" style="background:#fb8072"></span><span class="swatch" style="background:#80b1d3"></span> ${t('legend_catchment')}</div>
      <div><span class="line"></span> ${t('legend_boundary')}</div>
      <div><span class="dot"></span> ${t('legend_school', { hollow: '<span class="dot hollow"></span>' })}</div>
      <div><span class="box changed"></span> ${t('legend_changed')}</div>
      <div><span class="box pinned"></span> ${t('legend_locked', { unplaced: '<span class="box unplaced"></span>' })}</div>
      <div><span class="box selected"></span> ${t('legend_selected')}</div>
      <div><span class="line today"></span> ${t('legend_today')}</div>`;
    L.DomEvent.disableClickPropagation(d);
    return d;
  };
  return c;
}

async function main() {
  const t0 = performance.now();
  await loadStrings();
  const [config, schools, zones, plan] = await Promise.all([
    getJSON('/api/config'),
    getJSON('/api/schools'),
    getJSON('/api/zones'),
    getJSON('/api/plan'),
  ]);
  Object.assign(state, { config, schools, zones: zones.features, plan });
  zones.features.forEach((f, i) => state.zoneIndex.set(f.properties.id, i));
  schools.forEach((s, i) => state.schoolIndex.set(s.id, i));
  document.title = `${config.name} · ${t('page_title')}`;
  $('title').textContent = config.name;
  $('title').title = config.description;

  // An online basemap (the scenario's [basemap]) draws its streets in its
  // own coordinate system; the server sends every position in that system
  // (config.basemap.crs), so nothing here converts.
  const base = config.basemap;
  const map = L.map('map', { preferCanvas: true, zoomSnap: 0.25, attributionControl: Boolean(base), zoomControl: false });
  // Leaflet's own buttons say "Zoom in" / "Zoom out": in the page's words instead.
  L.control.zoom({ zoomInTitle: t('zoom_in'), zoomOutTitle: t('zoom_out') }).addTo(map);
  state.map = map;
  if (base) {
    const tiles = { maxNativeZoom: base.max_zoom, maxZoom: 22, attribution: esc(base.attribution) };
    if (base.subdomains.length) tiles.subdomains = base.subdomains;
    L.tileLayer(base.url, tiles).addTo(map);
  }
  for (const [name, z] of [['today', 445], ['outlines', 450], ['routes', 455], ['schools', 460], ['labels', 465], ['lasso', 470]]) {
    const pane = map.createPane(name);
    pane.style.zIndex = z;
    // Clicks go through to the zones below; school dots take their own.
    pane.style.pointerEvents = 'none';
  }
  const zoneRenderer = L.canvas({ padding: 0.3, tolerance: 2 });
  state.outlineRenderer = L.canvas({ pane: 'outlines', padding: 0.3 });
  state.lassoRenderer = L.svg({ pane: 'lasso' });
  derive();
  const layer = L.geoJSON(zones, {
    renderer: zoneRenderer,
    style: (f) => zoneStyle(f.id),
    pointToLayer: (f, ll) => L.circleMarker(ll, { renderer: zoneRenderer, radius: 4 }),
    onEachFeature: (f, l) => {
      state.zoneLayers[f.id] = l;
    },
  }).addTo(map);
  layer.on('click', (e) => {
    if (state.lasso || performance.now() - (state.lassoEnded ?? -1e9) < 400) return;
    select([e.layer.feature.id], e.originalEvent.shiftKey);
  });
  layer.on('mouseover', (e) => showTip(zoneTip(e.layer.feature.id), e));
  layer.on('mouseout', () => ($('tip').hidden = true));
  map.on('mousemove', moveTip);
  map.fitBounds(layer.getBounds(), { padding: [10, 10] });

  for (const st of STAGES) state.outlineGroups[st] = L.layerGroup();
  state.schoolLayer = L.layerGroup().addTo(map);
  state.routeLayer = L.layerGroup().addTo(map);
  const schoolRenderer = L.svg({ pane: 'schools' });
  state.markers = schools.map((s, i) => {
    const m = L.circleMarker([s.location[1], s.location[0]], { renderer: schoolRenderer, pane: 'schools' });
    m.on('click', () => {
      clearRefusal();
      state.school = i;
      restyleMarkers();
      renderPanel();
    });
    m.on('mouseover', (e) => showTip(schoolTip(i), e));
    m.on('mouseout', () => ($('tip').hidden = true));
    return m;
  });
  state.labels = schools.map((s) =>
    L.marker([s.location[1], s.location[0]], {
      pane: 'labels',
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: 'school-label', html: esc(s.name), iconSize: null }),
    }),
  );
  state.labelLayer = L.layerGroup().addTo(map);
  legend().addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  await loadOutlines();
  redraw();

  // Controls.
  for (const r of document.querySelectorAll('input[name=stage]')) {
    r.addEventListener('change', () => {
      state.stage = r.value;
      clearRefusal();
      redraw();
      showLabels();
      showToday();
    });
  }
  $('undo').addEventListener('click', () => change('POST', '/api/undo', '{}', 'application/json', actionName('undo')));
  $('redo').addEventListener('click', () => change('POST', '/api/redo', '{}', 'application/json', actionName('redo')));
  $('export').addEventListener('click', exportAll);
  $('lasso').addEventListener('click', () => (state.lasso ? endLasso() : startLasso()));
  $('import').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (file) await importCsv(await file.text());
    e.target.value = '';
  });
  document.addEventListener('keydown', (e) => {
    if (e.target.tagName === 'INPUT') return;
    const key = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && key === 'z') {
      e.preventDefault();
      $(e.shiftKey ? 'redo' : 'undo').click();
    } else if ((e.ctrlKey || e.metaKey) && key === 'y') {
      e.preventDefault();
      $('redo').click();
    } else if (key === 'escape') {
      if (state.lasso) endLasso();
      hideSearch();
      select([], false);
    }
  });
  $('panel').addEventListener('click', (e) => {
    const el = e.target.closest('[data-pin],[data-forbid],[data-school],[data-zone],#release,#pin-any-go,#forbid-any-go');
    if (!el) return;
    e.preventDefault();
    if (el.id === 'pin-any-go') lockChange('pin', $('pin-any').value);
    else if (el.id === 'forbid-any-go') lockChange('forbid', $('pin-any').value);
    else if (el.dataset.zone !== undefined) jumpTo({ kind: 'zone', i: Number(el.dataset.zone) });
    else if (el.dataset.pin) lockChange('pin', el.dataset.pin);
    else if (el.dataset.forbid) lockChange('forbid', el.dataset.forbid);
    else if (el.id === 'release') lockChange('release');
    else if (el.dataset.school !== undefined && el.dataset.school !== 'null') {
      clearRefusal();
      state.school = Number(el.dataset.school);
      restyleMarkers();
      renderPanel();
    }
  });
  $('panel').addEventListener('change', (e) => {
    if (e.target.id === 'pin-any') showRoutes();
  });
  $('print').addEventListener('click', printMap);
  $('today').addEventListener('change', showToday);
  setupSearch();
  map.on('zoomend', showLabels);
  showLabels();
  await loadHistory();

  await frames();
  const hooks = window.__catchment;
  hooks.firstMapMs = Math.round(performance.now());
  hooks.loadMs = Math.round(performance.now() - t0);
  hooks.version = plan.version;
  hooks.ready = true;
  window.__ready = true;
}

// Small hooks for the end-to-end test and for officers' own scripts.
window.__catchment = {
  ready: false,
  busy: false,
  version: null,
  zone: (id) => state.zoneIndex.get(id),
  zoneId: (i) => state.zones[i].properties.id,
  zoneSchool: (id) => {
    const s = stagePlan().school[state.zoneIndex.get(id)];
    return s >= 0 ? state.schools[s].id : null;
  },
  zoneColor: (id) => state.zoneLayers[state.zoneIndex.get(id)].options.fillColor,
  // Where the zone's layer is drawn: [west, south, east, north] degrees.
  zoneBounds: (id) => {
    const l = state.zoneLayers[state.zoneIndex.get(id)];
    const b = l.getBounds ? l.getBounds() : L.latLngBounds([l.getLatLng()]);
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  },
  schoolColor: (i, stage) => state.schools[i].color[stage],
  // The zone's inside point in page pixels (where a click selects it).
  zonePixel: (id) => {
    const [lon, lat] = state.zones[state.zoneIndex.get(id)].properties.inside;
    const p = state.map.latLngToContainerPoint([lat, lon]);
    const r = state.map.getContainer().getBoundingClientRect();
    return { x: Math.round(r.left + p.x), y: Math.round(r.top + p.y) };
  },
  focusZone: (id, zoom) => {
    const [lon, lat] = state.zones[state.zoneIndex.get(id)].properties.centroid;
    state.map.setView([lat, lon], zoom, { animate: false });
  },
  plan: () => state.plan,
  // The ways drawn from the selected compound: kind, school, km, points.
  routes: () =>
    state.routes.map((a) => ({
      kind: a.kind,
      school: a.school,
      km: a.feature.properties.km,
      points: a.feature.geometry.coordinates.length,
      drawn: state.routeLayer.getLayers().length,
    })),
  // Selects zones by id, as clicks would.
  select: (ids) => select(ids.map((id) => state.zoneIndex.get(id)), false),
  selected: () => [...state.selected].map((z) => state.zones[z].properties.id),
  zoneCentroid: (i) => state.zones[i].properties.centroid,
  schoolById: (id) => state.schools[state.schoolIndex.get(id)],
  searchMatches,
  history: () => state.history,
  importCsv,
};

main().catch((e) => {
  setStatus(t('status_loading_failed', { message: e.message }), true);
  console.error(e);
});
