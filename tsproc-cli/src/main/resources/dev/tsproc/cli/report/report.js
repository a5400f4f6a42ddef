// Draws the Gantt chart of every embedded timeline on one time axis: a row per worker,
// waiting for data (orange), computing (blue), idle (grey); a tooltip names each batch.
(function () {
  const runs = JSON.parse(document.getElementById('timelines').textContent);
  const NS = 'http://www.w3.org/2000/svg';
  const left = 170, width = 900, rowHeight = 18, gap = 4;
  const maxNanos = Math.max(1, ...runs.map(r => r.wallNanos));
  const x = nanos => left + (width * nanos) / maxNanos;
  let rows = 0;
  runs.forEach(r => { rows += 1 + new Set(r.batches.map(b => b.worker)).size; });
  const svg = document.createElementNS(NS, 'svg');
  const height = rows * (rowHeight + gap) + 40;
  svg.setAttribute('width', left + width + 20);
  svg.setAttribute('height', height);
  const add = (name, attrs, parent) => {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    (parent || svg).appendChild(e);
    return e;
  };
  const text = (s, attrs) => { add('text', attrs).textContent = s; };
  const order = w => w.replace(/\d+$/, d => d.padStart(10, '0'));
  let y = 10;
  runs.forEach(run => {
    text(run.label, { x: 4, y: y + 12, class: 'run' });
    y += rowHeight + gap;
    const workers = [...new Set(run.batches.map(b => b.worker))].sort((a, b) => order(a) < order(b) ? -1 : 1);
    workers.forEach(worker => {
      text(worker, { x: 12, y: y + 13 });
      add('rect', { x: x(0), y, width: x(run.wallNanos) - x(0), height: rowHeight, class: 'idle' });
      let freeSince = 0;
      run.batches.filter(b => b.worker === worker && b.computeStart >= 0)
        .sort((a, b) => a.computeStart - b.computeStart)
        .forEach(b => {
          const waitFrom = Math.max(b.queued, freeSince);
          const tip = `batch ${b.batch} (rows ${b.rowOffset}..${b.rowOffset + b.rows - 1}), attempt ${b.attempt}\n` +
            `waiting ${((b.computeStart - waitFrom) / 1e6).toFixed(1)} ms, computing ${((b.computeEnd - b.computeStart) / 1e6).toFixed(1)} ms`;
          if (b.computeStart > waitFrom) {
            const r = add('rect', { x: x(waitFrom), y, width: Math.max(0.5, x(b.computeStart) - x(waitFrom)), height: rowHeight, class: 'wait' });
            add('title', {}, r).textContent = tip;
          }
          const c = add('rect', { x: x(b.computeStart), y, width: Math.max(0.5, x(b.computeEnd) - x(b.computeStart)), height: rowHeight, class: 'compute', 'data-batch': b.batch });
          add('title', {}, c).textContent = tip;
          freeSince = b.computeEnd;
        });
      y += rowHeight + gap;
    });
  });
  for (let i = 0; i <= 10; i++) {
    const t = (maxNanos * i) / 10;
    add('line', { x1: x(t), x2: x(t), y1: 4, y2: y, stroke: '#bbb', 'stroke-dasharray': '2,3' });
    text((t / 1e9).toFixed(3) + ' s', { x: x(t) - 16, y: y + 14 });
  }
  document.getElementById('chart').appendChild(svg);
})();
