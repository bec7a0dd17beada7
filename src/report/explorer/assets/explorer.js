// vaelab's latent explorer (report figure 13): the trained decoder runs in the reader's browser.
// A plain script, no modules or bundler, because module scripts and fetch() are refused on file://.
// tf.min.js, decoder.js and latents.js run before it (all `defer`, in document order) and define
// window.tf, window.VAELAB_DECODER and window.VAELAB_LATENTS; the settings are JSON in #vx-settings.
(() => {
  'use strict';
  const root = document.getElementById('vx-explorer');
  if (!root) return;
  const S = JSON.parse(document.getElementById('vx-settings').textContent);
  const plane = document.getElementById('vx-plane');
  const digit = document.getElementById('vx-digit');
  const zOut = document.getElementById('vx-z');
  const status = document.getElementById('vx-status');
  const classButtons = Array.from(root.querySelectorAll('#vx-classes button'));
  const DX = S.dims[0];
  const DY = S.dims[1];
  // 1-based subscripted names, as in the report's other figures (z₁, z₂, ...)
  const zn = (d) => 'z' + String(d + 1).replace(/\d/g, (c) => String.fromCharCode(0x2080 + Number(c)));
  const MARGIN = { left: 40, right: 12, top: 12, bottom: 40 }; // CSS px for tick labels; left+right = top+bottom keeps the plot square
  let z = S.start.slice(); // the full latent vector: dims DX and DY move, the others stay at the test means' mean
  let label = S.kind === 'cvae' ? 0 : null; // class index fed to a cvae decoder as one-hot
  let model = null;
  let backdrop = null; // the static plane (grid, axes, test means), drawn once per size or class, blitted every frame
  let frame = 0;
  let dragging = false;
  const digitCtx = digit.getContext('2d');
  const pixels = digitCtx.createImageData(S.width, S.height);

  function fail(err) {
    root.dataset.state = 'error';
    status.textContent = 'The explorer could not start: ' + (err && err.message ? err.message : String(err));
    console.error(err);
  }

  // A typographic minus; `pad` puts a figure space before positive numbers so the printed z does not jitter.
  function num(v, digits, pad) {
    let text = digits === undefined ? String(Math.abs(v)) : Math.abs(v).toFixed(digits);
    return (v < 0 && text.replace(/[0.]/g, '') !== '' ? '\u2212' : pad ? '\u2007' : '') + text;
  }

  // A 1-CSS-px line at v lands on whole device pixels (half-pixel centres at odd ratios), so it is sharp, not a grey smear.
  function crisp(v, dpr) { return (Math.round(v * dpr) + (Math.round(dpr) % 2 === 1 ? 0.5 : 0)) / dpr; }

  // Maps between latent values and CSS pixels of the plane canvas.
  function geometry(css) {
    const size = css - MARGIN.left - MARGIN.right;
    const scale = size / (2 * S.half);
    return {
      x0: MARGIN.left, y0: MARGIN.top, size: size,
      x: (v) => MARGIN.left + (v + S.half) * scale,
      y: (v) => MARGIN.top + (S.half - v) * scale,
      zx: (px) => (px - MARGIN.left) / scale - S.half,
      zy: (py) => S.half - (py - MARGIN.top) / scale,
    };
  }

  function drawBackdrop() {
    const css = plane.clientWidth;
    if (css === 0) return;
    const dpr = window.devicePixelRatio || 1;
    plane.width = plane.height = Math.round(css * dpr); // backing store at device pixels: sharp dots and text
    backdrop = document.createElement('canvas');
    backdrop.width = backdrop.height = plane.width;
    const g = backdrop.getContext('2d');
    g.scale(dpr, dpr);
    const p = geometry(css);
    g.fillStyle = '#fff';
    g.fillRect(0, 0, css, css);
    g.fillStyle = '#f7f8fa';
    g.fillRect(p.x0, p.y0, p.size, p.size);
    const step = S.half > 6 ? 2 : 1;
    g.font = '11px system-ui, sans-serif';
    g.lineWidth = 1;
    for (let v = -Math.floor(S.half / step) * step; v <= S.half + 1e-9; v += step) {
      g.strokeStyle = v === 0 ? '#b9c0cc' : '#e3e6ec';
      const gx = crisp(p.x(v), dpr), gy = crisp(p.y(v), dpr);
      g.beginPath();
      g.moveTo(gx, p.y0); g.lineTo(gx, p.y0 + p.size);
      g.moveTo(p.x0, gy); g.lineTo(p.x0 + p.size, gy);
      g.stroke();
      g.fillStyle = '#5b6475';
      g.textAlign = 'center'; g.textBaseline = 'top';
      g.fillText(num(v), p.x(v), p.y0 + p.size + 5);
      g.textAlign = 'right'; g.textBaseline = 'middle';
      g.fillText(num(v), p.x0 - 6, p.y(v));
    }
    g.font = 'italic 13px system-ui, sans-serif';
    g.fillStyle = '#1d2330';
    g.textAlign = 'center'; g.textBaseline = 'bottom';
    g.fillText(zn(DX), p.x0 + p.size / 2, css - 2);
    g.save();
    g.translate(12, p.y0 + p.size / 2); g.rotate(-Math.PI / 2); g.textBaseline = 'middle';
    g.fillText(zn(DY), 0, 0);
    g.restore();
    drawPoints(g, p);
    g.strokeStyle = '#c3c9d4';
    g.strokeRect(p.x0 + 0.5, p.y0 + 0.5, p.size - 1, p.size - 1);
  }

  // One path per class: 10 fills instead of 10,000. A cvae's chosen class is drawn last and strongest.
  function drawPoints(g, p) {
    const pts = window.VAELAB_LATENTS;
    const order = [];
    for (let c = 0; c < S.numClasses; c++) if (c !== label) order.push(c);
    if (label !== null) order.push(label);
    g.save();
    g.beginPath(); g.rect(p.x0, p.y0, p.size, p.size); g.clip();
    // Faint enough that 10,000 points read as density, not as a solid blob; a few hundred stay visible.
    const faint = Math.min(0.55, 0.55 * Math.sqrt(1500 / Math.max(1, pts.labels.length)));
    order.forEach((cls) => {
      g.globalAlpha = label === null ? faint : cls === label ? Math.min(0.9, 2 * faint) : faint / 3;
      g.fillStyle = S.colours[cls % S.colours.length];
      g.beginPath();
      for (let i = 0; i < pts.labels.length; i++) {
        if (pts.labels[i] !== cls) continue;
        const x = p.x(pts.x[i]), y = p.y(pts.y[i]);
        g.moveTo(x + 1.6, y); g.arc(x, y, 1.6, 0, 2 * Math.PI);
      }
      g.fill();
    });
    g.restore();
  }

  function decode(latent, cls) {
    const probs = tf.tidy(() => {
      const zt = tf.tensor2d(Array.from(latent), [1, S.latentDim]);
      const input = S.kind === 'cvae' ? [zt, tf.oneHot(tf.tensor1d([cls], 'int32'), S.numClasses).toFloat()] : zt;
      return tf.sigmoid(model.predict(input));
    });
    const data = probs.dataSync();
    probs.dispose();
    return data;
  }

  function drawPlane() {
    const css = plane.clientWidth;
    if (css === 0 || backdrop === null) return; // hidden (a closed <details>, say): the ResizeObserver redraws on show
    const dpr = plane.width / css;
    const g = plane.getContext('2d');
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.drawImage(backdrop, 0, 0);
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const p = geometry(css);
    const cx = p.x(z[DX]), cy = p.y(z[DY]);
    g.strokeStyle = 'rgba(29, 35, 48, 0.45)';
    g.lineWidth = 1;
    g.setLineDash([3, 3]);
    g.beginPath();
    g.moveTo(crisp(cx, dpr), p.y0); g.lineTo(crisp(cx, dpr), p.y0 + p.size);
    g.moveTo(p.x0, crisp(cy, dpr)); g.lineTo(p.x0 + p.size, crisp(cy, dpr));
    g.stroke();
    g.setLineDash([]);
    g.beginPath(); g.arc(cx, cy, 7, 0, 2 * Math.PI);
    g.fillStyle = '#1d2330'; g.fill();
    g.lineWidth = 2.5; g.strokeStyle = '#fff'; g.stroke();
  }

  function render() {
    frame = 0;
    drawPlane();
    let text = zn(DX) + ' = ' + num(z[DX], 2, true) + '    ' + zn(DY) + ' = ' + num(z[DY], 2, true);
    if (S.latentDim > 2 && S.latentDim <= 12) text += '\nz = (' + z.map((v) => num(v, 2)).join(', ') + ')';
    zOut.textContent = text;
    if (model === null) return;
    const probs = decode(z, label);
    for (let i = 0; i < probs.length; i++) {
      const v = Math.round(probs[i] * 255);
      pixels.data[4 * i] = pixels.data[4 * i + 1] = pixels.data[4 * i + 2] = v;
      pixels.data[4 * i + 3] = 255;
    }
    digitCtx.putImageData(pixels, 0, 0);
  }

  // Pointer moves come faster than frames on many devices: decode at most once per animation frame.
  function schedule() { if (frame === 0) frame = requestAnimationFrame(render); }

  function clamp(v) { return Math.max(-S.half, Math.min(S.half, v)); }

  function setPlanePoint(a, b) { z[DX] = clamp(a); z[DY] = clamp(b); schedule(); }

  function pointerTo(e) {
    const r = plane.getBoundingClientRect();
    const p = geometry(r.width);
    setPlanePoint(p.zx(e.clientX - r.left), p.zy(e.clientY - r.top));
  }

  const missing = [['tf.min.js', window.tf], ['decoder.js', window.VAELAB_DECODER], ['latents.js', window.VAELAB_LATENTS]]
    .filter(([, loaded]) => loaded === undefined)
    .map(([file]) => 'explorer/' + file);
  if (missing.length > 0) {
    fail(new Error(missing.join(', ') + ' did not load; the explorer/ folder belongs beside index.html'));
    return;
  }
  // A script that loaded but holds something else (edited, or from another vaelab) is said as such, not thrown.
  const pts = window.VAELAB_LATENTS;
  const isList = (v) => Array.isArray(v) || ArrayBuffer.isView(v);
  const points = pts !== null && typeof pts === 'object' && isList(pts.labels) && isList(pts.x) && isList(pts.y) && pts.x.length === pts.labels.length && pts.y.length === pts.labels.length;
  const decoder = window.VAELAB_DECODER !== null && typeof window.VAELAB_DECODER === 'object';
  if (!points || !decoder) {
    fail(new Error('explorer/' + (points ? 'decoder.js' : 'latents.js') + ' does not hold what the explorer expects; rebuild the report (npx tsx run report <run folder>)'));
    return;
  }

  // Pointer events serve mouse, pen and touch alike; capture keeps a drag alive outside the canvas.
  plane.addEventListener('pointerdown', (e) => {
    dragging = true;
    plane.setPointerCapture(e.pointerId);
    pointerTo(e);
  });
  plane.addEventListener('pointermove', (e) => { if (dragging) pointerTo(e); });
  for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) plane.addEventListener(type, () => { dragging = false; });
  plane.addEventListener('keydown', (e) => {
    const step = (e.shiftKey ? 0.25 : 0.05) * S.half;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault(); // the arrows move the point, not the page
    setPlanePoint(z[DX] + m[0], z[DY] + m[1]);
  });
  classButtons.forEach((b) => {
    b.addEventListener('click', () => {
      label = Number(b.dataset.class);
      classButtons.forEach((o) => o.setAttribute('aria-pressed', String(o === b)));
      drawBackdrop();
      schedule();
    });
  });
  new ResizeObserver(() => { drawBackdrop(); schedule(); }).observe(plane);

  async function start() {
    // Batch-of-one decodes are small: the cpu backend is exact float32 on every device (WebGL may be fp16).
    await tf.setBackend('cpu');
    const d = window.VAELAB_DECODER;
    const bin = atob(d.weightsBase64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: d.modelTopology, weightSpecs: d.weightSpecs, weightData: bytes.buffer }));
    if (backdrop === null) drawBackdrop();
    render();
    // For tests and curious readers (DevTools): decode any z with the page's own model.
    window.vaelabExplorer = { decode: (latent, cls) => Array.from(decode(latent, cls)) };
    status.textContent = 'Decoding live in this page with TensorFlow.js ' + tf.version.tfjs + '.';
    root.dataset.state = 'ready';
  }
  start().catch(fail);
})();
