#include "stars/serve/web_page.h"

namespace stars::serve {

const std::string& web_page_html() {
  static const std::string kPage = R"STARSHTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>STARS serving explorer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
  header { background: #1d2330; color: #fff; padding: 10px 18px; display: flex; gap: 18px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  header .meta { font-size: 12px; opacity: .8; }
  main { display: grid; grid-template-columns: 290px minmax(0, 1fr); gap: 14px; padding: 14px; }
  .panel { background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  .panel h2 { font-size: 14px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; color: #596275; }
  label { display: block; font-size: 13px; margin: 6px 0 2px; }
  input[type=text], input[type=number], input[type=datetime-local], select { width: 100%; box-sizing: border-box; padding: 4px 6px; font-size: 13px; }
  .row { display: flex; gap: 6px; }
  .row > * { flex: 1; }
  button { font-size: 13px; padding: 5px 10px; border-radius: 5px; border: 1px solid #3b5bdb; background: #3b5bdb; color: #fff; cursor: pointer; }
  button.ghost { background: #fff; color: #3b5bdb; }
  button.small { font-size: 11px; padding: 1px 6px; }
  .lists { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; }
  ol { margin: 0; padding-left: 22px; font-size: 13px; }
  ol li { margin: 3px 0; }
  .it { display: flex; align-items: baseline; gap: 4px; }
  .it .title { flex: 1; min-width: 0; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
  .score { color: #8a93a6; font-size: 11px; }
  .fresh { background: #fff3bf; }
  .tag { display: inline-block; font-size: 11px; padding: 1px 6px; border-radius: 9px; background: #e7ebf3; margin-left: 4px; }
  .tag.next { background: #d3f9d8; } .tag.gen { background: #d0ebff; } .tag.popular { background: #ffe8cc; }
  #history li.live { color: #c2255c; }
  #status { font-size: 13px; margin: 6px 0 10px; }
  .warn { color: #c92a2a; font-size: 12px; }
  .checks label { display: inline-block; margin-right: 8px; }
</style>
</head>
<body>
<header><h1>STARS serving explorer</h1><span class="meta" id="meta">loading…</span></header>
<main>
  <section class="panel">
    <h2>User</h2>
    <label for="user">user id</label>
    <input type="text" id="user" list="userlist" placeholder="user id">
    <datalist id="userlist"></datalist>
    <div class="row" style="margin-top:6px"><button id="load">Recommend</button><button class="ghost" id="random">Random user</button></div>
    <h2 style="margin-top:14px">Filters</h2>
    <label><input type="checkbox" id="in_stock" checked> in stock only</label>
    <label><input type="checkbox" id="exclude_purchased"> exclude purchased</label>
    <label for="category">category</label><select id="category"><option value="">(any)</option></select>
    <label for="brand">brand</label><input type="text" id="brand" placeholder="(any)">
    <div class="row"><div><label for="price_min">price min</label><input type="number" id="price_min" step="0.01"></div>
    <div><label for="price_max">price max</label><input type="number" id="price_max" step="0.01"></div></div>
    <label for="k">k</label><input type="number" id="k" value="10" min="1" max="100">
    <h2 style="margin-top:14px">Context</h2>
    <label for="time">time (empty = now)</label><input type="datetime-local" id="time">
    <label for="region">region</label><select id="region"><option value="">(none)</option></select>
    <label>events / promotions</label><div class="checks" id="events"></div>
    <label><input type="checkbox" id="apply_offset" checked> apply context offset</label>
    <div id="features-panel" hidden>
      <h2 style="margin-top:14px">New-user features</h2>
      <div id="features-note" style="font-size:12px; opacity:.8"></div>
      <div id="features"></div>
    </div>
    <h2 style="margin-top:14px">Session</h2>
    <button class="ghost" id="reset">Reset live session</button>
    <label for="apikey">API key (write endpoints)</label><input type="text" id="apikey" placeholder="(none)">
  </section>
  <section>
    <div class="panel">
      <div id="status">Choose a user and press Recommend.</div>
      <div class="lists">
        <div><h2>h_next</h2><ol id="list-next"></ol></div>
        <div><h2>h_gen</h2><ol id="list-gen"></ol></div>
        <div><h2>interleaved (rr)</h2><ol id="list-rr"></ol></div>
      </div>
      <div class="warn" id="warnings"></div>
    </div>
    <div class="panel" style="margin-top:12px">
      <h2>History (latest last; live events in red)</h2>
      <ol id="history"></ol>
    </div>
  </section>
</main>
<script>
const $ = (id) => document.getElementById(id);
let previous = {};
let meta = null;
const params = new URLSearchParams(location.search);
$('apikey').value = localStorage.getItem('stars_api_key') || '';
$('apikey').addEventListener('change', () => localStorage.setItem('stars_api_key', $('apikey').value));

async function api(method, path, body) {
  const headers = {'Content-Type': 'application/json'};
  if ($('apikey').value) headers['X-API-Key'] = $('apikey').value;
  const r = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  const j = await r.json();
  if (!r.ok) throw new Error(j.error ? j.error.message : ('HTTP ' + r.status));
  return j;
}

function option(sel, value, text) { const o = document.createElement('option'); o.value = value; o.textContent = text || value; sel.appendChild(o); }

async function init() {
  meta = await api('GET', '/v1/meta');
  $('meta').textContent = `snapshot ${meta.snapshot_id} · ${meta.users} users · ${meta.items} items · dim ${meta.dim} · index ${meta.index} · model ${meta.has_model ? 'yes' : 'no'} · store ${meta.store}`;
  meta.regions.forEach(r => { option($('region'), r); });
  meta.departments.forEach(d => option($('category'), d));
  meta.calendar_events.forEach(e => {
    const l = document.createElement('label');
    l.innerHTML = `<input type="checkbox" value="${e}"> ${e}`;
    $('events').appendChild(l);
  });
  // Static features for a user unknown to the snapshot (user_features); `?f.<name>=value` fills one in.
  meta.user_features.forEach(f => {
    const id = 'uf-' + f.name;
    const l = document.createElement('label');
    l.htmlFor = id;
    l.textContent = f.name;
    const input = document.createElement(f.type === 'numeric' ? 'input' : 'select');
    input.id = id;
    input.dataset.feature = f.name;
    input.dataset.type = f.type;
    if (f.type === 'numeric') { input.type = 'number'; input.step = 'any'; input.placeholder = '(missing)'; }
    else { option(input, '', '(missing)'); f.values.forEach(v => option(input, v)); }
    if (params.get('f.' + f.name) !== null) input.value = params.get('f.' + f.name);
    input.addEventListener('change', refresh);
    $('features').append(l, input);
  });
  $('features-panel').hidden = !meta.user_features.length;
  $('features-note').textContent = meta.cold_users_from_features
    ? 'sent with every request; an unknown user without events is served from them'
    : 'sent with every request; this model does not serve users from features alone (popular items instead)';
  const users = await api('GET', '/v1/users?limit=50');
  users.users.forEach(u => option($('userlist'), u));
  if (params.get('user')) $('user').value = params.get('user');
  else if (users.users.length) $('user').value = users.users[0];
}

function request(strategy) {
  const filters = {in_stock: $('in_stock').checked, exclude_purchased: $('exclude_purchased').checked};
  if ($('category').value) filters.categories = [$('category').value];
  if ($('brand').value) filters.brands = [$('brand').value];
  if ($('price_min').value !== '') filters.price_min = parseFloat($('price_min').value);
  if ($('price_max').value !== '') filters.price_max = parseFloat($('price_max').value);
  const context = {apply_offset: $('apply_offset').checked};
  if ($('time').value) context.time = Math.floor(new Date($('time').value + 'Z').getTime() / 1000);
  if ($('region').value) context.region = $('region').value;
  const ev = [...$('events').querySelectorAll('input:checked')].map(x => x.value);
  if (ev.length) context.events = ev;
  const req = {user_id: $('user').value.trim(), k: parseInt($('k').value || '10'), strategy, filters, context};
  const features = {};
  $('features').querySelectorAll('[data-feature]').forEach(x => {
    if (x.value !== '') features[x.dataset.feature] = x.dataset.type === 'numeric' ? parseFloat(x.value) : x.value;
  });
  if (Object.keys(features).length) req.user_features = features;
  return req;
}

function render(listId, resp) {
  const ol = $(listId);
  ol.innerHTML = '';
  const before = new Set(previous[listId] || []);
  resp.items.forEach(it => {
    const li = document.createElement('li');
    if (previous[listId] && !before.has(it.item_id)) li.className = 'fresh';
    li.dataset.item = it.item_id;
    li.innerHTML = `<div class="it"><span class="title"></span><span class="score">${it.score.toFixed(3)}</span>` +
      `<span class="tag ${it.list}">${it.list}</span><button class="small ghost view">view</button>` +
      `<button class="small ghost buy">buy</button></div>`;
    li.querySelector('.title').textContent = it.title || it.item_id;
    li.querySelector('.title').title = [it.title, it.category, it.brand, it.price === null ? '' : it.price].filter(x => x !== '').join(' · ');
    li.querySelector('.view').addEventListener('click', () => addEvent(it.item_id, 'view'));
    li.querySelector('.buy').addEventListener('click', () => addEvent(it.item_id, 'purchase'));
    ol.appendChild(li);
  });
  previous[listId] = resp.items.map(i => i.item_id);
}

async function refresh() {
  const user = $('user').value.trim();
  if (!user) return;
  try {
    const [next, gen, rr, u] = await Promise.all([
      api('POST', '/v1/recommend', request('next')),
      api('POST', '/v1/recommend', request('gen')),
      api('POST', '/v1/recommend', request('rr')),
      api('GET', '/v1/users/' + encodeURIComponent(user))]);
    render('list-next', next); render('list-gen', gen); render('list-rr', rr);
    $('status').textContent = `user ${user} · ${next.known_user ? 'known' : 'unknown'} · source: ${next.source} · live events: ${next.session_events} · ` +
      `context offset ${next.context.offset_applied ? 'applied' : 'off'} (${next.context.time_iso}${next.context.events.length ? ', ' + next.context.events.join(', ') : ''}) · ${next.took_ms.toFixed(2)} ms`;
    $('status').dataset.source = next.source;
    $('status').dataset.sessionEvents = next.session_events;
    $('warnings').textContent = [...new Set(next.warnings.concat(gen.warnings))].join(' · ');
    const h = $('history');
    h.innerHTML = '';
    u.history.forEach(e => {
      const li = document.createElement('li');
      if (e.live) li.className = 'live';
      li.textContent = `${e.title || e.item_id} (${e.type})`;
      h.appendChild(li);
    });
  } catch (err) {
    $('status').textContent = 'error: ' + err.message;
  }
}

async function addEvent(item, type) {
  try {
    await api('POST', '/v1/events', {user_id: $('user').value.trim(), events: [{item_id: item, type}]});
    await refresh();
  } catch (err) { $('status').textContent = 'error: ' + err.message; }
}

$('load').addEventListener('click', () => { previous = {}; refresh(); });
$('random').addEventListener('click', async () => {
  const off = Math.floor(Math.random() * Math.max(1, meta.users - 1));
  const u = await api('GET', `/v1/users?offset=${off}&limit=1`);
  if (u.users.length) { $('user').value = u.users[0]; previous = {}; refresh(); }
});
$('reset').addEventListener('click', async () => {
  try { await api('DELETE', '/v1/users/' + encodeURIComponent($('user').value.trim()) + '/session'); previous = {}; await refresh(); }
  catch (err) { $('status').textContent = 'error: ' + err.message; }
});
['in_stock', 'exclude_purchased', 'category', 'region', 'apply_offset', 'k', 'time'].forEach(id => $(id).addEventListener('change', refresh));
$('events').addEventListener('change', refresh);

// Scripted tour for the headless test: load, click "view" on the last h_next item, show the new lists.
async function tour() {
  await refresh();
  const buttons = document.querySelectorAll('#list-next li button.view');
  if (!buttons.length) { document.body.dataset.tour = 'no-items'; return; }
  const target = buttons[buttons.length - 1];
  document.body.dataset.before = previous['list-next'].join(',');
  document.body.dataset.clicked = target.closest('li').dataset.item;
  const events = $('status').dataset.sessionEvents;
  target.click();
  for (let i = 0; i < 200 && $('status').dataset.sessionEvents === events; ++i) await new Promise(r => setTimeout(r, 25));
  document.body.dataset.after = previous['list-next'].join(',');
  document.body.dataset.tour = 'done';
}

init().then(() => (params.get('tour') ? tour() : refresh())).catch(err => { $('status').textContent = 'error: ' + err.message; });
</script>
</body>
</html>
)STARSHTML";
  return kPage;
}

}  // namespace stars::serve
