// Draws the Gantt chart of every embedded timeline on one time axis: per run, a row for the
// coordinator (opening the job, combining and finishing the result) and a row per worker,
// waiting for data (orange), computing (blue), idle (grey); a tooltip names each bar.
(function () {
  const runs = JSON.parse(document.getElementById('timelines').textContent);
  const NS = 'http://www.w3.org/2000/svg';
  const left = 170, width = 900, right = 40, rowHeight = 18, gap = 4;
  const maxNanos = Math.max(1, ...runs.map(r => r.wallNanos));
  const x = nanos => left + (width * nanos) / maxNanos;
  let rows = 0;
  runs.forEach(r => { rows += 2 + new Set(r.batches.map(b => b.worker)).size; });
  const svg = document.createElementNS(NS, 'svg');
  const height = rows * (rowHeight + gap) + 40;
  svg.setAttribute('width', left + width + right);
  svg.setAttribute('height', height);
  const add = (name, attrs, parent) => {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    (parent || svg).appendChild(e);
    return e;
  };
  const text = (s, attrs) => { add('text', attrs).textContent = s; };
  const ms = nanos => (nanos / 1e6).toFixed(1) + ' ms';
  const bar = (from, to, y, cls, tip) => {
    if (to <= from) return;
    const r = add('rect', { x: x(from), y, width: Math.max(0.5, x(to) - x(from)), height: rowHeight, class: cls });
    add('title', {}, r).textContent = tip;
  };
  const order = w => w.replace(/\d+$/, d => d.padStart(10, '0'));
  let y = 10;
  runs.forEach(run => {
    text(run.label, { x: 4, y: y + 12, class: 'run' });
    y += rowHeight + gap;
    // The coordinator's own spans; timelines saved before they were recorded have none.
    text('coordinator', { x: 12, y: y + 13 });
    const done = run.batches.filter(b => b.computeStart >= 0);
    const lastReceived = Math.max(0, ...done.map(b => Math.max(b.computeEnd, b.resultReceived)));
    if (run.openedNanos !== undefined) {
      bar(0, run.openedNanos, y, 'coordinator', `opening the job in the workers: ${ms(run.openedNanos)}`);
    }
    if (run.combinedNanos !== undefined) {
      bar(lastReceived, run.combinedNanos, y, 'coordinator', `combining the last partials: ${ms(run.combinedNanos - lastReceived)}`);
      bar(run.combinedNanos, run.wallNanos, y, 'coordinator', `finishing the result: ${ms(run.wallNanos - run.combinedNanos)}`);
    }
    y += rowHeight + gap;
    const workers = [...new Set(run.batches.map(b => b.worker))].sort((a, b) => order(a) < order(b) ? -1 : 1);
    workers.forEach(worker => {
      text(worker, { x: 12, y: y + 13 });
      add('rect', { x: x(0), y, width: x(run.wallNanos) - x(0), height: rowHeight, class: 'idle' });
      let freeSince = 0;
      done.filter(b => b.worker === worker)
        .sort((a, b) => a.computeStart - b.computeStart)
        .forEach(b => {
          const waitFrom = Math.max(b.queued, freeSince);
          const tip = `batch ${b.batch} (rows ${b.rowOffset}..${b.rowOffset + b.rows - 1}), attempt ${b.attempt}\n` +
            `waiting ${ms(b.computeStart - waitFrom)}, computing ${ms(b.computeEnd - b.computeStart)}`;
          if (b.computeStart > waitFrom) {
            bar(waitFrom, b.computeStart, y, 'wait', tip);
          }
          const c = add('rect', { x: x(b.computeStart), y, width: Math.max(0.5, x(b.computeEnd) - x(b.computeStart)), height: rowHeight, class: 'compute', 'data-batch': b.batch });
          add('title', {}, c).textContent = tip;
          freeSince = b.computeEnd;
        });
      y += rowHeight + gap;
    });
  });
  // Ticks at round numbers of seconds (1, 2 or 5 times a power of ten, 4 to 10 of them),
  // labels centred on their line; the right margin keeps the last one whole.
  const span = maxNanos / 1e9;
  const power = Math.pow(10, Math.floor(Math.log10(span / 5)));
  const step = [1, 2, 5, 10].map(m => m * power).find(s => span / s <= 10);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  for (let i = 0; i * step <= span * (1 + 1e-9); i++) {
    const t = i * step * 1e9;
    add('line', { x1: x(t), x2: x(t), y1: 4, y2: y, stroke: '#bbb', 'stroke-dasharray': '2,3' });
    text((i * step).toFixed(decimals) + ' s', { x: x(t), y: y + 14, 'text-anchor': 'middle', class: 'tick' });
  }
  document.getElementById('chart').appendChild(svg);
})();
