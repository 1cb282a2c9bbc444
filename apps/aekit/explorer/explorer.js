// The aekit explorer page: draws the examples' codes on a canvas and asks the server (docs/serve.md)
// to decode what the pointer is on. Each view has at most one request in flight; a newer request
// for the same view waits and replaces any older waiting one, so moving the pointer never queues
// up work.
'use strict';

const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2',
                 '#7f7f7f', '#bcbd22', '#17becf'];
const $ = (id) => document.getElementById(id);

const state = {
  info: null, x: null, y: null, labels: null,
  view: { cx: 0, cy: 0, scale: 1 },   // the plane's point at the canvas centre; pixels per unit
  crosshair: null,                     // [x, y] on the plane
  code: null,                          // the code shown in the sliders and decoded
  hovered: -1, selected: [],
  drawn: 0,
};

// One request at a time per view; the latest waiting one wins.
class Latest {
  constructor(run) { this.run = run; this.busy = false; this.waiting = null; }
  ask(...args) {
    if (this.busy) { this.waiting = args; return; }
    this.busy = true;
    Promise.resolve(this.run(...args)).catch(showError).finally(() => {
      this.busy = false;
      if (this.waiting) { const next = this.waiting; this.waiting = null; this.ask(...next); }
    });
  }
}

function showError(error) { $('status').textContent = String(error.message || error); }

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!response.ok) {
    let message = `${path}: HTTP ${response.status}`;
    try { message = `${path}: ${(await response.json()).error}`; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

function withClass(body) {
  if (state.info.classes > 0) body.class = Number($('class').value);
  return body;
}

// Shows the picture at `url` in `img` once it is decoded, so that the element never drops a picture
// that is still loading (which would abort its request). A blob URL that `img` showed before is
// released after the swap.
async function showPicture(img, url) {
  const next = new Image();
  next.src = url;
  await next.decode();
  const old = img.src;
  img.src = url;
  img.classList.remove('hidden');
  if (old.startsWith('blob:')) URL.revokeObjectURL(old);
}

async function showImage(img, blob) {
  const url = URL.createObjectURL(blob);
  try {
    await showPicture(img, url);
  } catch (error) {
    URL.revokeObjectURL(url);
    throw error;
  }
}

function showRow(table, row, header) {
  table.replaceChildren();
  if (header) {
    const tr = table.insertRow();
    for (const name of header) { const th = document.createElement('th'); th.textContent = name; tr.append(th); }
  }
  const names = Object.keys(row[0]);
  for (const name of names) {
    const tr = table.insertRow();
    tr.insertCell().textContent = name;
    for (const r of row) tr.insertCell().textContent = r[name];
  }
  table.classList.remove('hidden');
}

function isImage() { return state.info.image !== null; }

// Values of a table come back as rows of {column: value}; plain arrays are named x0, x1, ...
function asRow(values) {
  if (!Array.isArray(values)) return values;
  return Object.fromEntries(values.map((v, i) => [`x${i}`, v]));
}

const decodeView = new Latest(async (code) => {
  const body = withClass({ codes: [code], format: isImage() ? 'png' : 'json' });
  const response = await api('/api/decode', body);
  if (isImage()) {
    await showImage($('decoded'), await response.blob());
  } else {
    showRow($('decoded-table'), [asRow((await response.json()).values[0])]);
  }
  $('decoded-at').textContent = `(${code.map((v) => v.toFixed(2)).join(', ')})`;
  $('decoded').dataset.code = JSON.stringify(code);
});

const hoverView = new Latest(async (index) => {
  const example = await (await api(`/api/example/${index}`)).json();
  const label = example.label === null ? '' : ` (${className(example.label)})`;
  $('hover-index').textContent = `${index}${label}`;
  if (isImage()) {
    await Promise.all([showPicture($('hover-image'), example.image),
                       showPicture($('hover-reconstruction'), example.reconstruction)]);
    $('hover-images').classList.remove('hidden');
  } else {
    const rows = [example.values, example.reconstruction_values];
    showRow($('hover-table'), rows, ['column', 'example', 'reconstruction']);
  }
  $('hover').dataset.index = String(index);
});

const stripView = new Latest(async (a, b) => {
  const [from, to] = await Promise.all([a, b].map(async (i) => (await (await api(`/api/example/${i}`)).json()).code));
  const body = withClass({ from, to, steps: 10, format: isImage() ? 'png' : 'json' });
  const response = await api('/api/interpolate', body);
  if (isImage()) {
    await showImage($('strip'), await response.blob());
  } else {
    const values = (await response.json()).values;
    showRow($('strip-table'), [values[0], values[values.length - 1]].map(asRow), ['column', 'start', 'end']);
  }
  $('strip-ends').textContent = `examples ${a} and ${b}`;
  $('strip').dataset.ends = `${a},${b}`;
});

function className(label) {
  const names = state.info.class_names;
  return names && label < names.length ? names[label] : String(label);
}

// The plane and the codes: code = mean + x axes[0] + y axes[1]; its point is the projection back.
function codeAt(x, y) {
  const { mean, axes } = state.info.projection;
  return mean.map((m, d) => m + x * axes[0][d] + (axes.length > 1 ? y * axes[1][d] : 0));
}
function pointOf(code) {
  const { mean, axes } = state.info.projection;
  const dot = (axis) => axis.reduce((s, a, d) => s + a * (code[d] - mean[d]), 0);
  return [dot(axes[0]), axes.length > 1 ? dot(axes[1]) : 0];
}

const canvas = $('plot');
const context = canvas.getContext('2d');
const layer = document.createElement('canvas');  // the points, redrawn only when the view changes
let layerValid = false;

function toScreen(x, y) {
  const v = state.view;
  return [canvas.width / 2 + (x - v.cx) * v.scale, canvas.height / 2 - (y - v.cy) * v.scale];
}
function toPlane(sx, sy) {
  const v = state.view;
  return [v.cx + (sx - canvas.width / 2) / v.scale, v.cy - (sy - canvas.height / 2) / v.scale];
}

function drawLayer() {
  layer.width = canvas.width; layer.height = canvas.height;
  const g = layer.getContext('2d');
  g.fillStyle = '#fff'; g.fillRect(0, 0, layer.width, layer.height);
  const n = state.x.length;
  // One fill style per class: points grouped by colour, each a 3 x 3 square.
  const groups = new Map();
  for (let i = 0; i < n; ++i) {
    const key = state.labels ? state.labels[i] % palette.length : 0;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(i);
  }
  let drawn = 0;
  for (const [key, members] of groups) {
    g.fillStyle = palette[key];
    g.globalAlpha = 0.7;
    for (const i of members) {
      const [sx, sy] = toScreen(state.x[i], state.y[i]);
      if (sx < -2 || sy < -2 || sx > layer.width + 2 || sy > layer.height + 2) continue;
      g.fillRect(sx - 1.5, sy - 1.5, 3, 3);
      ++drawn;
    }
  }
  g.globalAlpha = 1;
  state.drawn = drawn;
  document.body.dataset.points = String(drawn);
  layerValid = true;
}

let frameAsked = false;
function redraw() {
  if (frameAsked) return;
  frameAsked = true;
  requestAnimationFrame(() => {
    frameAsked = false;
    if (!layerValid) drawLayer();
    context.drawImage(layer, 0, 0);
    for (const [k, i] of state.selected.entries()) ring(i, k === 0 ? '#000' : '#555');
    if (state.hovered >= 0) ring(state.hovered, '#e00');
    if (state.crosshair) {
      const [sx, sy] = toScreen(...state.crosshair);
      context.strokeStyle = '#111'; context.lineWidth = 1;
      context.beginPath();
      context.moveTo(sx - 12, sy); context.lineTo(sx + 12, sy);
      context.moveTo(sx, sy - 12); context.lineTo(sx, sy + 12);
      context.stroke();
    }
  });
}
function ring(i, colour) {
  const [sx, sy] = toScreen(state.x[i], state.y[i]);
  context.strokeStyle = colour; context.lineWidth = 2;
  context.beginPath(); context.arc(sx, sy, 6, 0, 2 * Math.PI); context.stroke();
}

// The nearest point within 8 pixels of (sx, sy), or -1.
function nearest(sx, sy) {
  let best = -1; let bestDistance = 64;
  for (let i = 0; i < state.x.length; ++i) {
    const [px, py] = toScreen(state.x[i], state.y[i]);
    const d = (px - sx) ** 2 + (py - sy) ** 2;
    if (d < bestDistance) { bestDistance = d; best = i; }
  }
  return best;
}

function canvasPosition(event) {
  const box = canvas.getBoundingClientRect();
  return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
}

function setCode(code, fromSliders) {
  state.code = code;
  state.crosshair = pointOf(code);
  decodeView.ask(code);
  if (!fromSliders) updateSliders();
  redraw();
}

let drag = null;
canvas.addEventListener('pointerdown', (event) => {
  drag = { start: canvasPosition(event), view: { ...state.view }, moved: false };
  canvas.setPointerCapture(event.pointerId);
});
canvas.addEventListener('pointermove', (event) => {
  const [sx, sy] = canvasPosition(event);
  if (drag) {
    const dx = sx - drag.start[0]; const dy = sy - drag.start[1];
    if (Math.abs(dx) + Math.abs(dy) > 4) drag.moved = true;
    if (drag.moved) {
      state.view.cx = drag.view.cx - dx / state.view.scale;
      state.view.cy = drag.view.cy + dy / state.view.scale;
      layerValid = false;
      redraw();
      return;
    }
  }
  const hovered = nearest(sx, sy);
  if (hovered !== state.hovered) {
    state.hovered = hovered;
    if (hovered >= 0) hoverView.ask(hovered);
  }
  setCode(codeAt(...toPlane(sx, sy)), false);
});
canvas.addEventListener('pointerup', (event) => {
  const wasDrag = drag && drag.moved;
  drag = null;
  if (wasDrag) return;
  const picked = nearest(...canvasPosition(event));
  if (picked < 0) return;
  state.selected = [...state.selected, picked].slice(-2);
  if (state.selected.length === 2) stripView.ask(state.selected[0], state.selected[1]);
  redraw();
});
canvas.addEventListener('wheel', (event) => {
  event.preventDefault();
  const [sx, sy] = canvasPosition(event);
  const [px, py] = toPlane(sx, sy);
  const factor = Math.exp(-event.deltaY * 0.0015);
  state.view.scale = Math.min(1e6, Math.max(1e-6, state.view.scale * factor));
  // Keep the plane's point under the pointer where it is.
  const [qx, qy] = toPlane(sx, sy);
  state.view.cx += px - qx; state.view.cy += py - qy;
  layerValid = false;
  redraw();
}, { passive: false });

function updateSliders() {
  if (state.info.latent_dim <= 2) return;
  const inputs = $('sliders').querySelectorAll('input');
  inputs.forEach((input, d) => {
    input.value = state.code[d];
    input.nextElementSibling.textContent = Number(state.code[d]).toFixed(2);
  });
}

function buildSliders() {
  const { latent_dim: dims, ranges } = state.info;
  if (dims <= 2) return;
  const box = $('sliders');
  // At most 32 sliders (a VQ-VAE's code grid has hundreds of values); the rest keep their values.
  const shown = Math.min(dims, 32);
  if (shown < dims) $('sliders-note').textContent = `(the first ${shown} of ${dims})`;
  for (let d = 0; d < shown; ++d) {
    const label = document.createElement('label');
    const name = document.createElement('span'); name.textContent = `z${d}`;
    const input = document.createElement('input');
    input.type = 'range'; input.min = ranges.low[d]; input.max = ranges.high[d];
    input.step = (ranges.high[d] - ranges.low[d]) / 200;
    const value = document.createElement('span');
    input.addEventListener('input', () => {
      const code = [...state.code];
      code[d] = Number(input.value);
      value.textContent = code[d].toFixed(2);
      setCode(code, true);
    });
    label.append(name, input, value);
    box.append(label);
  }
  $('sliders-box').classList.remove('hidden');
}

function fitView() {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < state.x.length; ++i) {
    x0 = Math.min(x0, state.x[i]); x1 = Math.max(x1, state.x[i]);
    y0 = Math.min(y0, state.y[i]); y1 = Math.max(y1, state.y[i]);
  }
  // Every point on the canvas, with a margin.
  state.view.cx = (x0 + x1) / 2; state.view.cy = (y0 + y1) / 2;
  state.view.scale = 0.92 * Math.min(canvas.width / Math.max(x1 - x0, 1e-6), canvas.height / Math.max(y1 - y0, 1e-6));
}

async function start() {
  state.info = await (await api('/api/info')).json();
  const points = await (await api('/api/points')).json();
  state.x = Float32Array.from(points.x); state.y = Float32Array.from(points.y);
  state.labels = points.labels;
  const info = state.info;
  const plane = info.projection.kind === 'pca'
    ? `first two principal components of the codes (${(100 * info.projection.explained_variance).toFixed(0)}% of their variance)`
    : 'the codes';
  $('about').textContent = `${info.run}: ${info.model}, ${info.latent_dim}-D codes, ${info.examples} test examples; map: ${plane}`;
  if (state.labels) {
    const classes = Math.max(...state.labels) + 1;
    for (let k = 0; k < classes; ++k) {
      const item = document.createElement('span');
      item.style.setProperty('--colour', palette[k % palette.length]);
      item.textContent = className(k);
      $('legend').append(item);
    }
  }
  if (info.classes > 0) {
    for (let k = 0; k < info.classes; ++k) $('class').add(new Option(className(k), String(k)));
    $('class-box').classList.remove('hidden');
    $('class').addEventListener('change', () => { if (state.code) decodeView.ask(state.code); });
  }
  buildSliders();
  fitView();
  layerValid = false;
  redraw();
  setCode(codeAt(state.view.cx, state.view.cy), false);
  $('status').textContent = `${state.x.length} points`;
}

// For tests and the console: where example i is on the screen.
window.aekitExplorer = {
  state,
  screenOf(i) {
    const [sx, sy] = toScreen(state.x[i], state.y[i]);
    const box = canvas.getBoundingClientRect();
    return { x: box.left + sx * box.width / canvas.width, y: box.top + sy * box.height / canvas.height };
  },
};

start().catch(showError);
