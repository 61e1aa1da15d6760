// Iframe mode (frame.html). Query: parentOrigin (required, an exact origin, never '*'),
// and the embed options (scene, lang, variant, backend, server, seed, storage, settings, …).
// Posts {type: 'hongbao:sent' | 'hongbao:claimed' | 'hongbao:recalled', detail},
// {type: 'hongbao:ready'} and {type: 'hongbao:resize', height} (the content's height in CSS
// pixels, whenever it changes; the loader's Hongbao.frame(iframe) applies it) to the parent;
// accepts {type: 'hongbao:command', command: 'setLang',
// lang: 'zh' | 'en'} and {type: 'hongbao:command', command: 'update', options} (theme,
// settings, …, over the query's) from the parent origin only.
const query = new URLSearchParams(location.search);
const host = document.getElementById('hongbao-frame');

function exactOrigin(value) {
  try {
    const url = new URL(value);
    return url.origin !== 'null' && url.origin === value ? value : null;
  } catch {
    return null;
  }
}

const parentOrigin = exactOrigin(query.get('parentOrigin') ?? '');
if (!parentOrigin || window.parent === window) {
  host.className = 'hb-frame-error';
  host.textContent = 'Hongbao: frame.html needs a parentOrigin query parameter (an exact origin) and a parent page.';
} else {
  // The phone gets a height of its own (embed.css), not the frame's: the frame follows it.
  host.classList.add('hb-frame-host');
  await import('./hongbao-embed.js');
  const options = {};
  for (const [key, value] of query) if (key !== 'parentOrigin') options[key] = value;
  if (!options.storage) options.storage = 'frame';
  const widget = window.Hongbao.mount(host, options);
  const post = (message) => window.parent.postMessage(message, parentOrigin);
  for (const type of ['hongbao:sent', 'hongbao:claimed', 'hongbao:recalled']) {
    host.addEventListener(type, (event) => post({ type, detail: event.detail }));
  }
  window.addEventListener('message', (event) => {
    if (event.origin !== parentOrigin || event.source !== window.parent) return;
    const msg = event.data;
    if (!msg || msg.type !== 'hongbao:command') return;
    if (msg.command === 'setLang') widget.setLang(msg.lang);
    if (msg.command === 'update' && msg.options && typeof msg.options === 'object') {
      widget.update({ ...options, ...msg.options });
    }
  });
  let height = -1;
  new ResizeObserver(() => {
    const now = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (now > 0 && now !== height) post({ type: 'hongbao:resize', height: (height = now) });
  }).observe(document.documentElement);
  post({ type: 'hongbao:ready' });
}
