// Iframe mode (frame.html). Query: parentOrigin (required, an exact origin, never '*'),
// and the embed options (scene, lang, variant, backend, server, seed, storage, settings, …).
// Posts {type: 'hongbao:sent' | 'hongbao:claimed' | 'hongbao:recalled', detail} and
// {type: 'hongbao:ready'} to the parent; accepts {type: 'hongbao:command', command: 'setLang',
// lang: 'zh' | 'en'} from the parent origin only.
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
  });
  post({ type: 'hongbao:ready' });
}
